import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { publicPolicy } from "@strata/cache-policy";
import { freePort, startRedis, type RedisServer } from "@strata/local-servers";
import type { AppCache } from "../src/app-cache.ts";
import { testAppCache } from "./support/test-app-cache.ts";
import { requestPathRedis } from "../src/request-path-redis.ts";

const policy = publicPolicy({ fresh: 60, staleWhileRevalidate: 300, staleIfError: 3600 });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-cache-startup-"));
let server: RedisServer | undefined;
const clients: Redis[] = [];
let cache: AppCache | undefined;

afterAll(async () => {
  await cache?.close();
  for (const c of clients) c.disconnect();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("AppCache start-up while the cache Redis is down", () => {
  it("starts at once, bypasses the cache, and uses it once Redis comes up", async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const commands = requestPathRedis(url, 200, "startup-test");
    // The subscriber as createCacheTiers makes it: retries for ever, never fails a command.
    const subscriber = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: null,
      retryStrategy: () => 100,
    });
    subscriber.on("error", () => {});
    commands.on("error", () => {});
    clients.push(commands, subscriber);
    await subscriber.connect().catch(() => {});
    cache = testAppCache(commands, subscriber);
    // Before the fix start() waited for the SUBSCRIBE in ioredis' offline queue, i.e. for as
    // long as Redis was away: an API instance then died of Fastify's 10 s plugin timeout.
    const started = Date.now();
    await cache.start();
    expect(Date.now() - started).toBeLessThan(2000);
    const get = async () =>
      (await cache!.get({ key: "k", tags: ["products"], policy, load: async () => '{"v":1}' }))
        .source;
    expect(await get()).toBe("MISS");

    server = await startRedis({ dataDir: dir, port, maxmemoryPolicy: "allkeys-lru" });
    await expect.poll(get, { timeout: 10_000, interval: 200 }).toMatch(/^(L1|L2)$/);
  });
});
