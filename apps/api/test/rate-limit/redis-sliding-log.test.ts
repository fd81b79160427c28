import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { RedisSlidingLog } from "../../src/rate-limit/redis-sliding-log.ts";
import { startTestRedis } from "../../../../test/support/redis.ts";

let redis: Awaited<ReturnType<typeof startTestRedis>>;
/** Three clients: three instances sharing one state Redis. */
let clients: Redis[];
let logs: RedisSlidingLog[];

beforeAll(async () => {
  redis = await startTestRedis();
  clients = [0, 1, 2].map(() => new Redis(redis.url, { enableOfflineQueue: true }));
  logs = clients.map((c) => new RedisSlidingLog(c));
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.quit()));
  await redis.stop();
});

let n = 0;
const key = () => `ratelimit:test-${++n}:a:1`;

describe("RedisSlidingLog (the Lua script on a real Redis)", () => {
  it("admits exactly max of 300 concurrent requests spread over three clients", async () => {
    const bucket = { key: key(), max: 5, windowMs: 60_000 };
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => logs[i % 3]!.consume([bucket])),
    );
    expect(results.filter((r) => r.admitted)).toHaveLength(5);
    expect(await clients[0]!.zcard(bucket.key)).toBe(5);
    const refused = results.find((r) => !r.admitted)!;
    expect(refused.buckets[0]!.count).toBe(5);
    expect(refused.buckets[0]!.waitMs).toBeGreaterThan(55_000);
    expect(refused.buckets[0]!.waitMs).toBeLessThanOrEqual(60_000);
  });

  it("never holds more than max in any rolling window, and admits again once the window has moved", async () => {
    const bucket = { key: key(), max: 3, windowMs: 1000 };
    // Requests every ~40 ms for 3.5 s: every kind of alignment with the window edges.
    const admitted: { sent: number; received: number }[] = [];
    const started = performance.now();
    let i = 0;
    while (performance.now() - started < 3500) {
      const sent = performance.now();
      const result = await logs[i++ % 3]!.consume([bucket]);
      if (result.admitted) admitted.push({ sent, received: performance.now() });
      await new Promise((r) => setTimeout(r, 40));
    }
    // Redis decided each one between sending and receiving; N+1 admissions inside one window
    // are proven when even the widest reading of those intervals is shorter than the window.
    for (let k = 0; k + 3 < admitted.length; k++) {
      expect(admitted[k + 3]!.received - admitted[k]!.sent).toBeGreaterThanOrEqual(1000);
    }
    // And the limit does not starve a steady client (a loose bound: the machine is noisy).
    expect(admitted.length).toBeGreaterThanOrEqual(6);
  });

  it("counts a request in every bucket or in none", async () => {
    const narrow = { key: key(), max: 1, windowMs: 60_000 };
    const wide = { key: key(), max: 5, windowMs: 60_000 };
    expect((await logs[0]!.consume([narrow, wide])).admitted).toBe(true);
    const refused = await logs[1]!.consume([narrow, wide]);
    expect(refused.admitted).toBe(false);
    expect(refused.buckets.map((b) => b.count)).toEqual([1, 1]);
    expect(await clients[0]!.zcard(wide.key)).toBe(1);
  });

  it("leaves no key without an expiry, and none longer than its window", async () => {
    const buckets = [
      { key: key(), max: 2, windowMs: 5_000 },
      { key: key(), max: 10, windowMs: 60_000 },
    ];
    for (let i = 0; i < 5; i++) await logs[i % 3]!.consume(buckets);
    const keys = await clients[0]!.keys("ratelimit:*");
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      const ttl = await clients[0]!.pttl(k);
      expect(ttl, k).toBeGreaterThan(0);
      expect(ttl, k).toBeLessThanOrEqual(60_000);
    }
    expect(await clients[0]!.pttl(buckets[0]!.key)).toBeLessThanOrEqual(5_000);
  });

  it("loads the script again after the script cache is flushed (a Redis restart)", async () => {
    await clients[0]!.script("FLUSH");
    const bucket = { key: key(), max: 1, windowMs: 1000 };
    expect((await logs[0]!.consume([bucket])).admitted).toBe(true);
    expect((await logs[0]!.consume([bucket])).admitted).toBe(false);
  });
});
