import { Redis } from "ioredis";
import client from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicPolicy } from "@strata/cache-policy";
import { AppCache } from "../src/app-cache.ts";
import { bodyText } from "../src/entry.ts";
import { createCacheMetrics } from "../src/cache-metrics.ts";
import { requestPathRedis as requestPathClient } from "../src/request-path-redis.ts";
import { startTestRedis } from "../../../test/support/redis.ts";

const policy = publicPolicy({ fresh: 60, staleWhileRevalidate: 300, staleIfError: 3600 });
const silent = { warn: () => {}, info: () => {} };

let redis: Awaited<ReturnType<typeof startTestRedis>>;
const caches: AppCache[] = [];
const clients: Redis[] = [];

/** One "instance": its own clients, L1 and subscription, like a separate process. */
async function instance(options: { l1MaxBytes?: number } = {}): Promise<AppCache> {
  const commands = requestPathClient(redis.url, 300, "test-cache");
  const subscriber = new Redis(redis.url, { lazyConnect: true });
  await commands.connect();
  await subscriber.connect();
  clients.push(commands, subscriber);
  const cache = new AppCache({
    redis: commands,
    subscriber,
    l1MaxEntries: 1000,
    ...options,
    l1MaxTtlMs: 5000,
    fillLockMs: 2000,
    breakerMs: 500,
    ackTimeoutMs: 500,
    metrics: createCacheMetrics(new client.Registry()),
    logger: silent,
  });
  await cache.start();
  caches.push(cache);
  return cache;
}

beforeAll(async () => {
  redis = await startTestRedis("allkeys-lru");
});
afterAll(async () => {
  await Promise.allSettled(caches.map((c) => c.close()));
  clients.forEach((c) => c.disconnect());
  await redis.stop();
});

let n = 0;
const uniqueKey = () => `test:${++n}:${Date.now()}`;

describe("AppCache", () => {
  it("answers MISS, then L2 (the second read admits the key to L1), then L1; L2 on another", async () => {
    const [a, b] = [await instance(), await instance()];
    const key = uniqueKey();
    let loads = 0;
    const request = {
      key,
      tags: ["products"],
      policy,
      load: async () => JSON.stringify({ loads: ++loads }),
    };
    expect((await a.get(request)).source).toBe("MISS");
    expect((await a.get(request)).source).toBe("L2");
    expect((await a.get(request)).source).toBe("L1");
    const fromB = await b.get(request);
    expect(fromB.source).toBe("L2");
    expect(bodyText(fromB.entry)).toBe('{"loads":1}');
    expect(fromB.entry.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(loads).toBe(1);
  });

  it("keeps L1 within its byte bound: the least recently used bodies leave first", async () => {
    const cache = await instance({ l1MaxBytes: 90_000 });
    const body = JSON.stringify({ pad: "x".repeat(10_000) });
    const keys = Array.from({ length: 10 }, uniqueKey);
    const request = (key: string) => ({ key, tags: ["products"], policy, load: async () => body });
    // Two reads each: the second admits the key to L1.
    for (const key of keys) for (const _read of [1, 2]) await cache.get(request(key));
    // Each body is 10,010 bytes, ~10.3 kB with its key and overhead: eight fit in 90 kB.
    const sources = [];
    for (const key of keys.slice(-9).reverse())
      sources.push((await cache.get(request(key))).source);
    expect(sources).toEqual([...Array<string>(8).fill("L1"), "L2"]);
  });

  it("admits a key to L1 on its second read: keys read once never push the hot set out", async () => {
    const cache = await instance({ l1MaxBytes: 40_000 });
    const body = JSON.stringify({ pad: "x".repeat(10_000) });
    const request = (key: string) => ({ key, tags: ["products"], policy, load: async () => body });
    const hot = uniqueKey();
    await cache.get(request(hot));
    await cache.get(request(hot));
    // Twenty keys read once each would have evicted everything from a 40 kB L1 many times over.
    for (let i = 0; i < 20; i++)
      expect((await cache.get(request(uniqueKey()))).source).toBe("MISS");
    expect((await cache.get(request(hot))).source).toBe("L1");
  });

  it("coalesces a burst of concurrent misses on three instances into one load", async () => {
    const three = [await instance(), await instance(), await instance()];
    const key = uniqueKey();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 100));
      return '{"v":1}';
    };
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        three[i % 3]!.get({ key, tags: ["products"], policy, load }),
      ),
    );
    expect(loads).toBe(1);
    expect(new Set(results.map((r) => bodyText(r.entry)))).toEqual(new Set(['{"v":1}']));
  });

  it("invalidates by tag on every instance, L1 included, before invalidate() returns", async () => {
    const [a, b] = [await instance(), await instance()];
    const key = uniqueKey();
    let version = 1;
    const request = {
      key,
      tags: ["products", "product:1"],
      policy,
      load: async () => `{"v":${version}}`,
    };
    await a.get(request);
    await b.get(request);
    await b.get(request); // b's second read admits the key to its L1
    expect((await b.get(request)).source).toBe("L1");
    version = 2;
    await a.invalidate(["product:1"]);
    const after = await b.get(request);
    expect(after.source).toBe("MISS");
    expect(bodyText(after.entry)).toBe('{"v":2}');
  });

  it("never lets a slow reader put an old value back after an invalidation", async () => {
    const [a, b] = [await instance(), await instance()];
    const key = uniqueKey();
    let release!: () => void;
    const slow = a.get({
      key,
      tags: ["product:2"],
      policy,
      // Reads the old row, then stalls until after the write has invalidated.
      load: () => new Promise<string>((resolve) => (release = () => resolve('{"v":"old"}'))),
    });
    await new Promise((r) => setTimeout(r, 50));
    await b.invalidate(["product:2"]);
    release();
    expect(bodyText((await slow).entry)).toBe('{"v":"old"}'); // its own answer predates the write
    const next = await b.get({ key, tags: ["product:2"], policy, load: async () => '{"v":"new"}' });
    expect(bodyText(next.entry)).toBe('{"v":"new"}');
    const nextOnA = await a.get({
      key,
      tags: ["product:2"],
      policy,
      load: async () => '{"v":"new"}',
    });
    expect(bodyText(nextOnA.entry)).toBe('{"v":"new"}');
  });

  it("serves a stale entry within stale-if-error when the database fails", async () => {
    const a = await instance();
    const key = uniqueKey();
    const short = publicPolicy({ fresh: 1, staleWhileRevalidate: 0, staleIfError: 3600 });
    await a.get({ key, tags: ["products"], policy: short, load: async () => '{"v":"cached"}' });
    await new Promise((r) => setTimeout(r, 1100));
    const result = await a.get({
      key,
      tags: ["products"],
      policy: short,
      load: async () => {
        throw new Error("database down");
      },
    });
    expect(result.source).toBe("STALE");
    expect(bodyText(result.entry)).toBe('{"v":"cached"}');
  });

  it("serves stale while one background refresh runs", async () => {
    const a = await instance();
    const key = uniqueKey();
    const swr = publicPolicy({ fresh: 1, staleWhileRevalidate: 60, staleIfError: 0 });
    let loads = 0;
    const request = { key, tags: ["products"], policy: swr, load: async () => `{"n":${++loads}}` };
    await a.get(request);
    await new Promise((r) => setTimeout(r, 1100));
    const stale = await Promise.all(Array.from({ length: 20 }, () => a.get(request)));
    expect(stale.every((r) => r.source === "STALE" && bodyText(r.entry) === '{"n":1}')).toBe(true);
    await expect.poll(async () => bodyText((await a.get(request)).entry)).toBe('{"n":2}');
    expect(loads).toBe(2);
  });
});
