import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicPolicy } from "@strata/cache-policy";
import { startRedis, type RedisServer } from "@strata/local-servers";
import type { AppCache } from "../src/app-cache.ts";
import { bodyText } from "../src/entry.ts";
import { testAppCache } from "./support/test-app-cache.ts";
import { requestPathRedis as requestPathClient } from "../src/request-path-redis.ts";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const policy = publicPolicy({ fresh: 60, staleWhileRevalidate: 300, staleIfError: 3600 });
let dir: string;
let server: RedisServer;
let cache: AppCache;
let commands: Redis;
let subscriber: Redis;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-cache-outage-"));
  server = await startRedis({ dataDir: dir, maxmemoryPolicy: "allkeys-lru" });
  commands = requestPathClient(server.url, 200, "outage-test");
  subscriber = new Redis(server.url, { lazyConnect: true, retryStrategy: () => 100 });
  await commands.connect();
  await subscriber.connect();
  cache = testAppCache(commands, subscriber);
  await cache.start();
});

afterAll(async () => {
  await cache.close();
  commands.disconnect();
  subscriber.disconnect();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function timedGet(
  body: string,
  key = "outage",
): Promise<{ ms: number; source: string; body: string }> {
  const started = Date.now();
  const result = await cache.get({ key, tags: ["products"], policy, load: async () => body });
  return { ms: Date.now() - started, source: result.source, body: bodyText(result.entry) };
}

describe("AppCache when Redis fails", () => {
  it("falls through to the database when Redis is frozen, and recovers by itself", async () => {
    expect((await timedGet('{"v":1}')).source).toBe("MISS");
    process.kill(server.process.pid, "SIGSTOP");
    try {
      // Keys this instance has never seen must reach Redis, time out, and fall through.
      const during = await Promise.all(
        Array.from({ length: 20 }, (_, i) => timedGet('{"v":2}', `cold:${i}`)),
      );
      expect(during.every((r) => r.source === "MISS" && r.body === '{"v":2}')).toBe(true);
      // None hung: bounded by the command timeout (200 ms here), with a wide margin.
      expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(5000);
      // A key already in L1 keeps answering: no invalidation can pass a frozen Redis either
      // (writes refuse to commit when they cannot invalidate).
      const warm = await timedGet('{"v":2}');
      expect(["L1", "MISS"]).toContain(warm.source);
    } finally {
      process.kill(server.process.pid, "SIGCONT");
    }
    await expect
      .poll(async () => (await timedGet('{"v":3}')).source, { timeout: 10_000 })
      .toMatch(/^(L1|L2)$/);
  });

  it("falls through to the database when Redis is stopped, and recovers when it returns", async () => {
    await server.stop();
    try {
      const during = await Promise.all(Array.from({ length: 20 }, () => timedGet('{"v":4}')));
      expect(during.every((r) => r.source === "MISS" && r.body === '{"v":4}')).toBe(true);
      expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(5000);
    } finally {
      server = await startRedis({
        dataDir: dir,
        port: server.port,
        maxmemoryPolicy: "allkeys-lru",
      });
    }
    await expect
      .poll(async () => (await timedGet('{"v":5}')).source, { timeout: 15_000 })
      .toMatch(/^(L1|L2)$/);
  });
});
