import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FastifyBaseLogger } from "fastify";
import { Redis } from "ioredis";
import { loadApiConfig } from "@strata/config";
import { LocalSlidingLog } from "../../src/rate-limit/local-sliding-log.ts";
import { PermitLeases, type LeaseOptions } from "../../src/rate-limit/permit-leases.ts";
import {
  buildPolicies,
  PERMIT_LEASE_MS,
  type RateLimitPolicy,
} from "../../src/rate-limit/policies.ts";
import { RateLimiter, type Decision } from "../../src/rate-limit/rate-limiter.ts";
import { permitCountKey } from "../../src/rate-limit/permit-lease-script.ts";
import { RedisSlidingLog } from "../../src/rate-limit/redis-sliding-log.ts";
import type { Bucket } from "../../src/rate-limit/sliding-log.ts";
import { startTestRedis } from "../../../../test/support/redis.ts";

// Permit leases on a real Redis. Each "instance" is its own Redis client, RedisSlidingLog,
// PermitLeases and RateLimiter, as three API processes would have; they share one Redis.

let redis: Awaited<ReturnType<typeof startTestRedis>>;
/** For the test's own look at Redis (ZCARD, INFO). */
let observer: Redis;
const instances: Instance[] = [];

const config = loadApiConfig({
  DATABASE_URL: "postgres://u:s3cure-Pa55@db/x",
  REDIS_STATE_URL: "redis://r",
}).rateLimit;

/** The default policy (leases on) with other numbers. */
function readPolicy(max: number, windowSeconds: number, expectedInstances = 3): RateLimitPolicy {
  return buildPolicies({ ...config, default: { max, windowSeconds }, expectedInstances }).default;
}

/** Counts reservations as they are sent (the INFO tests count them in Redis itself). */
class CountingLog extends RedisSlidingLog {
  reservations = 0;
  private readonly inFlight = new Set<Promise<unknown>>();
  override reserve(bucket: Bucket, need: number, batch: number, lease: LeaseOptions) {
    this.reservations += 1;
    const call = super.reserve(bucket, need, batch, lease);
    const settled = call.catch(() => undefined).finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
    return call;
  }
  /** Resolves once every reservation sent so far has been answered (and handled). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    await new Promise((r) => setImmediate(r));
  }
}

interface Instance {
  client: Redis;
  store: CountingLog;
  leases: PermitLeases;
  limiter: RateLimiter;
}

/** Connected before it returns: with no offline queue, a command sent earlier would fail. */
async function startInstance(maxLeases?: number): Promise<Instance> {
  const client = new Redis(redis.url, { enableOfflineQueue: false, commandTimeout: 2_000 });
  await new Promise<void>((resolve) => client.once("ready", () => resolve()));
  const store = new CountingLog(client);
  const leases = new PermitLeases(store, maxLeases);
  const silent = { warn: () => undefined, info: () => undefined } as unknown as FastifyBaseLogger;
  const limiter = new RateLimiter({
    redis: store,
    leases,
    local: new LocalSlidingLog(),
    redisRetryMs: 300,
    log: silent,
    record: () => undefined,
  });
  const instance = { client, store, leases, limiter };
  instances.push(instance);
  return instance;
}

beforeAll(async () => {
  redis = await startTestRedis();
  observer = new Redis(redis.url);
  await new Promise<void>((resolve) => observer.once("ready", () => resolve()));
});

afterAll(async () => {
  await Promise.allSettled(instances.map((i) => i.leases.close()));
  await Promise.allSettled([observer?.quit(), ...instances.map((i) => i.client.quit())]);
  await redis?.stop();
});

let clients = 0;
/** A fresh client (partition), so no two tests share a key. */
function newClient(): { partition: string; key: string } {
  const partition = `a:198.51.100.${++clients}`;
  return { partition, key: `ratelimit:default:${partition}` };
}

const decide = (instance: Instance, policy: RateLimitPolicy, partition: string) =>
  instance.limiter.decide(policy, [{ rule: policy.rules[0]!, partition }]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The requests a leased key counts: the sum of its entries' weights (a member ending in #n
 * stands for n), checked against the count the script keeps beside the set.
 */
async function counted(key: string): Promise<number> {
  const members = await observer.zrange(key, 0, -1);
  const sum = members.reduce((n, m) => n + Number(/#(\d+)$/.exec(m)?.[1] ?? 1), 0);
  const kept = await observer.get(permitCountKey(key));
  if (kept !== null) expect(Number(kept), `${key}'s kept count`).toBe(sum);
  return sum;
}

/** EVALSHA and EVAL calls Redis has run since the last CONFIG RESETSTAT. */
async function scriptCalls(): Promise<number> {
  const info = await observer.info("commandstats");
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)) {
    calls += Number(match[1]);
  }
  return calls;
}

interface Admission {
  sent: number;
  received: number;
}

/**
 * Each decision was made between its `sent` and `received`. More than `max` admissions
 * within one window are proven when some max + 1 of them fit, even at their widest reading
 * (first sent .. last received), in less than the window. Returns the narrowest such span
 * found over every choice of max + 1 admissions: it must be at least the window.
 */
function narrowestSpan(admitted: Admission[], max: number, windowMs: number): number {
  const bySent = [...admitted].sort((a, b) => a.sent - b.sent);
  let narrowest = Infinity;
  for (let i = 0; i + max < bySent.length; i++) {
    const first = bySent[i]!;
    // With `first` the earliest sent, the best choice is the max others received soonest.
    const later = bySent
      .slice(i + 1)
      .filter((a) => a.sent < first.sent + windowMs)
      .map((a) => a.received)
      .sort((a, b) => a - b);
    if (later.length < max) continue;
    narrowest = Math.min(narrowest, Math.max(first.received, later[max - 1]!) - first.sent);
  }
  return narrowest;
}

/** `workers` concurrent loops per instance deciding for one partition until `stop()`. */
async function hammer(
  nodes: Instance[],
  policy: RateLimitPolicy,
  partition: string,
  workers: number,
  stop: (decision: Decision) => boolean,
  pause: (n: number) => number = () => 0,
): Promise<{ admitted: Admission[]; refused: number }> {
  const admitted: Admission[] = [];
  let refused = 0;
  let done = false;
  const deadline = performance.now() + 20_000; // "did not hang", not a timing assertion
  await Promise.all(
    nodes.flatMap((node) =>
      Array.from({ length: workers }, async () => {
        let n = 0;
        while (!done && performance.now() < deadline) {
          const sent = performance.now();
          const decision = await decide(node, policy, partition);
          const received = performance.now();
          if (decision.outcome === "allowed") admitted.push({ sent, received });
          else if (decision.outcome === "limited") refused += 1;
          else throw new Error(`unexpected outcome ${decision.outcome}`);
          if (stop(decision)) done = true;
          const wait = pause(n++);
          await (wait > 0 ? sleep(wait) : new Promise((r) => setImmediate(r)));
        }
      }),
    ),
  );
  expect(done, "hammer stopped by its condition, not the deadline").toBe(true);
  return { admitted, refused };
}

/** Waits until every lease has ended and given its permits back. */
async function leasesEnded(nodes: Instance[]): Promise<void> {
  await sleep(PERMIT_LEASE_MS);
  await expect.poll(() => nodes.every((n) => n.leases.size === 0), { timeout: 5_000 }).toBe(true);
  await sleep(100); // their ZREMs were sent; let Redis run them
}

beforeEach(async () => {
  await observer.config("RESETSTAT");
});

describe("permit leases across instances", () => {
  let trio: Instance[];
  beforeAll(async () => {
    trio = await Promise.all([startInstance(), startInstance(), startInstance()]);
  });

  it("three instances hammering one key admit at most max, and exactly max once their leases end", async () => {
    const policy = readPolicy(200, 60);
    const { partition, key } = newClient();
    const reservations = () => trio.reduce((sum, n) => sum + n.store.reservations, 0);
    const start = reservations();

    // Half way: the instances hold leases with permits they have not used yet...
    let admittedSoFar = 0;
    const half = await hammer(trio, policy, partition, 8, (decision) => {
      if (decision.outcome === "allowed") admittedSoFar += 1;
      return admittedSoFar >= 100;
    });
    expect(half.refused).toBe(0);
    expect(reservations() - start).toBeLessThan(half.admitted.length / 2);
    expect(await counted(key)).toBeGreaterThanOrEqual(half.admitted.length);
    // ...and give them back when the leases end: Redis counts exactly what was admitted.
    await leasesEnded(trio);
    expect(await counted(key)).toBe(half.admitted.length);

    // Then until well after the key is full: permits given back are used again.
    let firstRefusal = 0;
    const rest = await hammer(trio, policy, partition, 8, (decision) => {
      if (decision.outcome === "limited" && firstRefusal === 0) firstRefusal = performance.now();
      return firstRefusal > 0 && performance.now() - firstRefusal > 3 * PERMIT_LEASE_MS;
    });
    const admitted = half.admitted.length + rest.admitted.length;
    expect(admitted).toBeLessThanOrEqual(200);

    await leasesEnded(trio);
    expect(await counted(key)).toBe(admitted);
    // What is left of the window is admitted, one by one, and nothing more.
    let topUp = 0;
    while ((await decide(trio[topUp % 3]!, policy, partition)).outcome === "allowed") topUp += 1;
    expect(admitted + topUp).toBe(200);
    expect(await counted(key)).toBe(200);
  });

  it("bursts and pauses over several window edges never exceed max in any rolling window", async () => {
    const policy = readPolicy(150, 2);
    const { partition } = newClient();
    const started = performance.now();
    // Bursts of 20 requests, then pauses of 0..390 ms (a fixed pseudo-random sequence):
    // windows and leases meet in every alignment.
    const { admitted, refused } = await hammer(
      trio,
      policy,
      partition,
      2,
      () => performance.now() - started > 7_000,
      (n) => (n % 20 === 19 ? ((n * 7919) % 40) * 10 : 0),
    );
    expect(refused).toBeGreaterThan(0);
    expect(narrowestSpan(admitted, 150, 2_000)).toBeGreaterThanOrEqual(2_000);
    // And the limit does not starve the clients (a loose bound: the machine is noisy).
    expect(admitted.length).toBeGreaterThanOrEqual(2 * 150);
  });

  it("a permit used late in its lease is still counted a full window after that use", async () => {
    // A long lease for this test only, so that sleeps on a busy machine cannot blur it.
    const base = readPolicy(12, 2, 1); // batch min(32, 12 / 2) = 6: 1 admitted, 5 spare
    const policy: RateLimitPolicy = { ...base, lease: { ...base.lease!, ms: 1_500 } };
    const [a, b] = trio as [Instance, Instance];
    const { partition } = newClient();
    const t0 = performance.now();
    expect((await decide(a, policy, partition)).outcome).toBe("allowed");
    await sleep(1_000);
    const reservations = a.store.reservations;
    for (let i = 0; i < 5; i++)
      expect((await decide(a, policy, partition)).outcome).toBe("allowed");
    expect(a.store.reservations).toBe(reservations); // all five from the lease, at ~t0 + 1 s
    const fill = [];
    for (let i = 0; i < 7; i++) fill.push((await decide(b, policy, partition)).outcome);
    expect(fill).toEqual([...Array<string>(6).fill("allowed"), "limited"]);
    // Past t0 + window the first request has left; the five late ones were used within the
    // last window and must still count (up to t0 + 1.5 s + window: room for a slow machine).
    await sleep(Math.max(0, t0 + 2_200 - performance.now()));
    const after = [await decide(b, policy, partition), await decide(b, policy, partition)];
    expect(after.map((d) => d.outcome)).toEqual(["allowed", "limited"]);
  });

  it("a full window, then a burst just after a fixed-window edge, lets nothing extra through", async () => {
    const max = 60;
    const policy = readPolicy(max, 2);
    const { partition } = newClient();
    const burst = async () => {
      const all = await Promise.all(
        Array.from({ length: 3 * max }, async (_, i) => {
          const sent = performance.now();
          const decision = await decide(trio[i % 3]!, policy, partition);
          return { sent, received: performance.now(), decision };
        }),
      );
      return all.filter((a) => a.decision.outcome === "allowed");
    };
    const first = await burst();
    const firstAt = performance.now();
    expect(first.length).toBeLessThanOrEqual(max);
    expect(first.length).toBeGreaterThan(0);
    // Well inside the window: refused, and told to come back within the window and a lease.
    await sleep(2_000 - 800);
    const late = await decide(trio[0]!, policy, partition);
    expect(late.outcome).toBe("limited");
    expect(late.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(late.retryAfterSeconds).toBeLessThanOrEqual(Math.ceil((2_000 + PERMIT_LEASE_MS) / 1000));
    expect(late.rules[0]).toMatchObject({ remaining: 0, exhausted: true });
    // Once the first ones have certainly left (window + lease + margin): at most max again.
    await sleep(Math.max(0, firstAt + 2_000 + PERMIT_LEASE_MS + 300 - performance.now()));
    const second = await burst();
    expect(second.length).toBeLessThanOrEqual(max);
    expect(second.length).toBeGreaterThan(0);
    expect(narrowestSpan([...first, ...second], max, 2_000)).toBeGreaterThanOrEqual(2_000);
  });
});

describe("Redis calls with leases", () => {
  it("a busy key costs about one script call per batch; near the limit, one per request", async () => {
    const one = await startInstance();
    const busy = readPolicy(10_000, 60);
    const { partition: warm } = newClient();
    await decide(one, busy, warm); // loads the script, so NOSCRIPT retries are not counted
    await one.leases.close();
    await observer.config("RESETSTAT");

    const { partition } = newClient();
    for (let i = 0; i < 320; i++) {
      expect((await decide(one, busy, partition)).outcome).toBe("allowed");
    }
    const busyCalls = await scriptCalls();
    console.info(`permit leases: 320 sequential reads of one key made ${busyCalls} script calls`);
    expect(busyCalls).toBeGreaterThan(0);
    expect(busyCalls).toBeLessThanOrEqual(320 / 4); // 10 when no lease outlives its 32 reads
    await one.leases.close(); // the refill ahead's batch: the near key below must start bare

    // Near the limit the batch is 1: every request is one exact call, as without leases.
    const { partition: near, key } = newClient();
    const [seconds] = await observer.time();
    const stamp = Number(seconds) * 1_000_000;
    await observer.zadd(key, ...Array.from({ length: 195 }, (_, i) => [stamp, `pre${i}`]).flat());
    await observer.pexpire(key, 60_000);
    const nearPolicy = readPolicy(200, 60);
    await observer.config("RESETSTAT");
    const outcomes = [];
    for (let i = 0; i < 8; i++) outcomes.push((await decide(one, nearPolicy, near)).outcome);
    expect(outcomes).toEqual([
      ...Array<string>(5).fill("allowed"),
      "limited",
      "limited",
      "limited",
    ]);
    expect(await scriptCalls()).toBe(8);
    expect(one.leases.size).toBe(0);

    // A small limit never leases (5 / (2 × 3 instances) < 1): today's exact path.
    const small = readPolicy(5, 60);
    const { partition: tiny } = newClient();
    await observer.config("RESETSTAT");
    for (let i = 0; i < 7; i++) await decide(one, small, tiny);
    expect(await scriptCalls()).toBe(7);
  });

  it("refills a busy key's lease ahead: once half a batch is used the next is reserved, and no read waits for Redis", async () => {
    const one = await startInstance();
    const policy = readPolicy(10_000, 60);
    const { partition } = newClient();
    const partitions = [{ rule: policy.rules[0]!, partition }];
    await one.limiter.decide(policy, partitions); // the first reservation: 1 admitted, 31 spare
    await one.store.settled();
    const first = one.store.reservations;
    let waited = 0;
    for (let i = 0; i < 200; i++) {
      if (!one.limiter.decideNow(policy, partitions)) {
        waited += 1;
        await one.limiter.decideLater(policy, partitions);
      }
      await one.store.settled(); // a refill sent by this read has been answered
    }
    expect(waited).toBe(0);
    // At most one per 16 reads (half a batch of 32), fewer when batches grow.
    const refills = one.store.reservations - first;
    expect(refills).toBeGreaterThanOrEqual(1);
    expect(refills).toBeLessThanOrEqual(Math.ceil(200 / 16));
  });

  it("concurrent requests of one key on one instance share the reservation in flight", async () => {
    const one = await startInstance();
    const policy = readPolicy(10_000, 60);
    const { partition } = newClient();
    const before = one.store.reservations;
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => decide(one, policy, partition)),
    );
    expect(decisions.every((d) => d.outcome === "allowed")).toBe(true);
    // The first reservation admits 1 and leases 31; the 18 left over share a second one.
    const calls = one.store.reservations - before;
    console.info(`permit leases: 50 concurrent reads of one key made ${calls} reservations`);
    expect(calls).toBeLessThanOrEqual(3);
    // Every one got a remaining count of its own, all from what was truly left.
    const remaining = decisions.map((d) => d.rules[0]!.remaining);
    expect(new Set(remaining).size).toBe(50);
    expect(Math.max(...remaining)).toBe(9_999);
  });
});

describe("lease bookkeeping", () => {
  it("gives unused permits back when the lease ends, and on close", async () => {
    const one = await startInstance();
    // A lease of 2 s, so that a stall of the machine cannot end it before the first look.
    const base = readPolicy(10_000, 60);
    const policy: RateLimitPolicy = { ...base, lease: { ...base.lease!, ms: 2_000 } };
    const { partition, key } = newClient();
    for (let i = 0; i < 5; i++) await decide(one, policy, partition);
    expect(await counted(key)).toBe(32); // 1 admitted, 31 reserved (4 used since)
    expect(await observer.zcard(key)).toBe(2); // as two entries: the admitted one, the spare
    const ttl = await observer.pttl(key);
    expect(ttl).toBeGreaterThan(60_000); // the key outlives its entries stamped at the end
    expect(ttl).toBeLessThanOrEqual(60_000 + 2_000);
    await leasesEnded([one]);
    expect(await counted(key)).toBe(5);
    for (const k of [key, permitCountKey(key)]) expect(await observer.pttl(k)).toBeGreaterThan(0);

    const { partition: other, key: otherKey } = newClient();
    for (let i = 0; i < 3; i++) await decide(one, policy, other);
    expect(one.leases.size).toBe(1);
    await one.leases.close();
    expect(one.leases.size).toBe(0);
    expect(await counted(otherKey)).toBe(3);
  });

  it("a batch given back in part keeps its used permits and the key's expiry, even as the key's only entry", async () => {
    const one = await startInstance();
    const policy = readPolicy(10_000, 60);
    const { key } = newClient();
    const bucket = { key, max: 10_000, windowMs: 60_000 };
    // need 0, as a refill ahead sends: the spare entry is all the key holds.
    const reservation = await one.store.reserve(bucket, 0, 32, policy.lease!);
    expect(reservation).toMatchObject({ countBefore: 0, granted: 0, spare: 32 });
    expect(await observer.zcard(key)).toBe(1);
    await one.store.release(key, reservation.spareEntry, 28); // 4 were used
    expect(await counted(key)).toBe(4);
    expect(await observer.pttl(key)).toBeGreaterThan(59_000);
    // Given back twice (a retried call): the entry is found under its old name no more.
    await one.store.release(key, reservation.spareEntry, 28);
    expect(await counted(key)).toBe(4);
  });

  it("reports remaining as the room left at the reservation minus what this instance used", async () => {
    const one = await startInstance();
    const policy = readPolicy(120, 60);
    const { partition } = newClient();
    const remaining = [];
    for (let i = 0; i < 25; i++) remaining.push((await decide(one, policy, partition)).rules[0]!);
    expect(remaining.map((r) => r.remaining)).toEqual(
      Array.from({ length: 25 }, (_, i) => 119 - i),
    );
    expect(remaining.every((r) => r.quota === 120 && r.resetSeconds <= 60)).toBe(true);
  });

  it("uses a lease in hand while Redis is unreachable, then the local fallback", async () => {
    const one = await startInstance();
    const policy = readPolicy(10_000, 60);
    const { partition } = newClient();
    expect((await decide(one, policy, partition)).outcome).toBe("allowed");
    one.client.disconnect(); // every command now fails at once (no offline queue)
    const during = [];
    for (let i = 0; i < 5; i++) during.push((await decide(one, policy, partition)).outcome);
    expect(during).toEqual(Array<string>(5).fill("allowed"));
    await sleep(PERMIT_LEASE_MS + 50);
    expect((await decide(one, policy, partition)).outcome).toBe("fallback");
  });

  it("holds a bounded number of leases, giving the oldest back", async () => {
    const one = await startInstance(5);
    const policy = readPolicy(10_000, 60);
    const keys: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { partition, key } = newClient();
      keys.push(key);
      await decide(one, policy, partition);
      expect(one.leases.size).toBeLessThanOrEqual(5);
    }
    await expect.poll(() => counted(keys[0]!), { timeout: 5_000 }).toBe(1);
    await leasesEnded([one]);
    for (const key of keys) expect(await counted(key)).toBe(1);
  });
});
