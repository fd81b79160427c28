import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../../src/stack.ts";
import {
  BYPASS_NGINX_CACHE,
  byInstance,
  describeFailures,
  startLoad,
  type LoadRun,
} from "../support/load.ts";
import { startTestStack, type TestStack } from "../support/test-stack.ts";

let test: TestStack;
let stack: Stack;

/** A read that took longer than this hung: it is many times the Redis command timeout. */
const HANG_MS = 5_000;
/**
 * The pool waits up to 10 s for a connection here (DB_POOL_ACQUIRE_TIMEOUT_MS below), so a 503
 * within 4 s was decided without waiting for it: PostgreSQL's refusal was seen at once.
 */
const FAST_503_MS = 4_000;
/** L1 trusts an entry this long without Redis (CACHE_L1_MAX_TTL_MS below). */
const L1_TTL_MS = 1_000;

beforeAll(async () => {
  test = await startTestStack({
    instances: 2,
    env: {
      DB_POOL_ACQUIRE_TIMEOUT_MS: "10000",
      // Short, so an entry aged in Redis is what instances read a moment later.
      CACHE_L1_MAX_TTL_MS: String(L1_TTL_MS),
    },
  });
  stack = test.stack;
}, 300_000);

afterAll(async () => {
  await test?.stop();
}, 90_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const execFileAsync = promisify(execFile);

/** A read through nginx that nginx passes to an instance: the app tier is what answers. */
const read = (path: string) => fetch(`${stack.url}${path}`, { headers: BYPASS_NGINX_CACHE });

const instanceUrls = () => stack.status().instances.map((i) => `http://${i.address}`);
const apiPids = () =>
  stack
    .status()
    .processes.filter((p) => p.role === "api")
    .map((p) => `${p.name}:${p.pid}`);

/** No instance was restarted, and nothing the stack runs exited meanwhile. */
function expectSameProcesses(apiBefore: string[]) {
  expect(apiPids()).toEqual(apiBefore);
  const notRunning = stack.status().processes.filter((p) => p.state !== "running");
  expect(notRunning.map((p) => `${p.name}: ${p.state}`)).toEqual([]);
}

/** The value of one metric series (matched by every label given) on each instance. */
async function metricPerInstance(name: string, labels: Record<string, string>): Promise<number[]> {
  return Promise.all(
    instanceUrls().map(async (url) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text
        .split("\n")
        .find(
          (l) =>
            l.startsWith(`${name}{`) &&
            Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
        );
      return line ? Number(line.split(" ").at(-1)) : 0;
    }),
  );
}

const cacheEvents = async (tier: string, event: string) =>
  (await metricPerInstance("app_cache_events_total", { tier, event })).reduce((a, b) => a + b, 0);

/** One command on the cache Redis, with the server's own client. */
async function cacheRedis(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("redis-cli", ["-u", stack.redis.cacheUrl, ...args]);
  return stdout.replace(/\n$/, "");
}

/** The app cache's L2 copy of `key` (packages/cache stores it under `ac:e:<key>`). */
async function readEntry(key: string): Promise<Record<string, unknown> | undefined> {
  const raw = await cacheRedis("--raw", "GET", `ac:e:${key}`);
  return raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
}

/**
 * Makes the L2 entry of `key` look `seconds` older, as if it had been filled that long ago:
 * the policies' windows are minutes long, and a test cannot wait for them.
 */
async function ageEntry(key: string, seconds: number): Promise<void> {
  const entry = await readEntry(key);
  if (!entry) throw new Error(`no L2 entry for ${key}`);
  for (const field of ["freshUntil", "revalidateUntil", "errorUntil"]) {
    entry[field] = (entry[field] as number) - seconds * 1000;
  }
  await cacheRedis("SET", `ac:e:${key}`, JSON.stringify(entry), "KEEPTTL");
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(250);
  }
}

/**
 * Every instance reads and writes the cache Redis again: a response one instance just filled
 * is an L2 hit on the other, in both directions. Each try uses a key no one has read yet.
 */
async function expectEveryInstanceUsesL2() {
  const [a, b] = instanceUrls();
  let n = 0;
  for (const [filler, reader] of [
    [a, b],
    [b, a],
  ]) {
    await eventually("an L2 hit for an entry the other instance filled", async () => {
      const path = `/api/products?limit=2&q=probe${Date.now()}x${n++}`;
      if ((await fetch(`${filler}${path}`)).status !== 200) return false;
      return (await fetch(`${reader}${path}`)).headers.get("x-app-cache") === "L2";
    });
  }
  expect(await metricPerInstance("redis_connected", { role: "cache" })).toEqual([1, 1]);
}

/** A steady read load through nginx with its cache bypassed, over a few products. */
function steadyReads(ids: number[]): LoadRun {
  return startLoad({
    baseUrl: stack.url,
    concurrency: 8,
    timeoutMs: HANG_MS,
    // Until stop(): the default cap could end the load before the failure does.
    maxRequests: Number.POSITIVE_INFINITY,
    next: (n) => ({
      method: "GET",
      path: `/api/products/${ids[n % ids.length]}`,
      headers: BYPASS_NGINX_CACHE,
    }),
  });
}

/** Stops a read load and checks every read got its 200, from both instances. */
async function expectEveryReadAnswered(load: LoadRun, label: string): Promise<void> {
  const outcomes = await load.stop();
  expect(describeFailures(outcomes)).toBe("");
  expect(outcomes.length).toBeGreaterThan(50);
  expect(Object.keys(byInstance(outcomes)).sort()).toEqual(["api-1", "api-2"]);
  console.log(`${label}: ${outcomes.length} reads, 0 failed`);
}

describe("cache tiers when a server fails", () => {
  it("PostgreSQL stopped: held reads answer 200 (stale-if-error when past their grace), others a fast 503; recovers when it is back", async () => {
    const stale = [11, 12, 13].map((id) => `/api/products/${id}`);
    const fresh = "/api/products/14";
    const notHeld = [111, 112, 113].map((id) => `/api/products/${id}`);
    const bodies = new Map<string, string>();
    for (const path of [...stale, fresh]) {
      const response = await read(path);
      expect(response.status).toBe(200);
      bodies.set(path, await response.text());
    }
    // Past fresh and stale-while-revalidate (60 + 300 s), within stale-if-error (1 day): only
    // PostgreSQL failing may make the app serve them.
    for (const id of [11, 12, 13]) await ageEntry(`product:${id}`, 361);
    const pids = apiPids();
    const staleServesBefore = await cacheEvents("db", "stale_if_error");

    await stack.stopServer("postgres");
    try {
      await sleep(L1_TTL_MS + 500);
      for (const path of stale) {
        const response = await read(path);
        expect(response.status, path).toBe(200);
        expect(response.headers.get("x-app-cache")).toBe("STALE");
        expect(await response.text()).toBe(bodies.get(path));
      }
      expect(
        (await cacheEvents("db", "stale_if_error")) - staleServesBefore,
      ).toBeGreaterThanOrEqual(stale.length);
      const response = await read(fresh);
      expect(response.status).toBe(200);
      expect(["L1", "L2"]).toContain(response.headers.get("x-app-cache"));

      const latencies: number[] = [];
      for (const path of notHeld) {
        const started = performance.now();
        const response = await read(path);
        const elapsed = performance.now() - started;
        latencies.push(Math.round(elapsed));
        expect(response.status, path).toBe(503);
        expect(response.headers.get("content-type")).toContain("application/problem+json");
        expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
        expect(((await response.json()) as { status: number }).status).toBe(503);
        expect(elapsed, `${path} answered 503 after ${Math.round(elapsed)} ms`).toBeLessThan(
          FAST_503_MS,
        );
      }
      console.log(`PostgreSQL stopped: 503 after ${latencies.join(", ")} ms`);
    } finally {
      await stack.startServer("postgres");
    }

    // The pools reconnect by themselves: no instance was restarted.
    await eventually("reads answered by PostgreSQL again", async () =>
      (await Promise.all(notHeld.map(read))).every((r) => r.status === 200),
    );
    for (const path of stale) {
      const response = await read(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("x-app-cache")).not.toBe("STALE");
    }
    expectSameProcesses(pids);
  }, 120_000);

  it("cache Redis shut down under load: reads keep answering 200 from PostgreSQL; the instances use it again once it is back", async () => {
    const pids = apiPids();
    const load = steadyReads([21, 22, 23, 24, 25, 26]);
    try {
      await sleep(1_000);
      await stack.stopServer("redis-cache");
      try {
        await eventually("every instance saw the cache Redis go", async () =>
          (await metricPerInstance("redis_connected", { role: "cache" })).every((v) => v === 0),
        );
        const queries = await cacheEvents("db", "query");
        await sleep(3_000);
        // PostgreSQL answered the load meanwhile.
        expect(await cacheEvents("db", "query")).toBeGreaterThan(queries);
      } finally {
        await stack.startServer("redis-cache");
      }
      await sleep(2_000);
    } finally {
      await expectEveryReadAnswered(load, "cache Redis shut down");
    }
    await expectEveryInstanceUsesL2();
    expectSameProcesses(pids);
  }, 120_000);

  it("cache Redis frozen (SIGSTOP) under load: reads keep answering 200 from PostgreSQL; the instances use it again after SIGCONT", async () => {
    const pids = apiPids();
    const redisPid = stack.status().processes.find((p) => p.name === "redis-cache")!.pid;
    const load = steadyReads([31, 32, 33, 34, 35, 36]);
    try {
      await sleep(1_000);
      const queries = await cacheEvents("db", "query");
      process.kill(redisPid, "SIGSTOP");
      try {
        // Longer than CACHE_BREAKER_MS (5 s): the probe after the breaker's window meets the
        // frozen server too, and must not hang either.
        await sleep(7_000);
        for (const url of instanceUrls()) {
          const response = await fetch(`${url}/api/products/37`, {
            signal: AbortSignal.timeout(HANG_MS),
          });
          expect(response.status).toBe(200);
          expect(response.headers.get("x-app-cache")).toBe("MISS");
        }
        expect(await cacheEvents("db", "query")).toBeGreaterThan(queries);
      } finally {
        process.kill(redisPid, "SIGCONT");
      }
      await sleep(2_000);
    } finally {
      await expectEveryReadAnswered(load, "cache Redis frozen");
    }
    await expectEveryInstanceUsesL2();
    expectSameProcesses(pids);
  }, 120_000);

  it("hot key expiring under load: one database query per expiry, no 503", async () => {
    const key = "product:42";
    const pids = apiPids();
    expect((await read("/api/products/42")).status).toBe(200);
    const load = startLoad({
      baseUrl: stack.url,
      concurrency: 16,
      timeoutMs: HANG_MS,
      maxRequests: Number.POSITIVE_INFINITY,
      next: () => ({ method: "GET", path: "/api/products/42", headers: BYPASS_NGINX_CACHE }),
    });
    // Two soft expiries (stale-while-revalidate: served stale while one refresh runs) and two
    // hard ones (past the grace: every reader misses at once).
    const expiries = [61, 61, 361, 361];
    let queries: number | undefined;
    try {
      await sleep(1_000);
      const before = await cacheEvents("db", "query");
      for (const seconds of expiries) {
        await ageEntry(key, seconds);
        await eventually("the hot key refreshed", async () => {
          const entry = await readEntry(key);
          return entry !== undefined && (entry.freshUntil as number) > Date.now();
        });
        // Every instance's L1 copy is gone before the next expiry.
        await sleep(L1_TTL_MS + 500);
      }
      queries = (await cacheEvents("db", "query")) - before;
    } finally {
      const outcomes = await load.stop();
      expect(describeFailures(outcomes)).toBe("");
      expect(outcomes.length).toBeGreaterThan(100);
      console.log(`hot key: ${outcomes.length} reads, ${queries} queries`);
    }
    expect(queries).toBe(expiries.length);
    expectSameProcesses(pids);
  }, 120_000);
});
