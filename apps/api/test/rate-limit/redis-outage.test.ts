import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis } from "@strata/local-servers";
import { spawnApi, type ApiProcess } from "../support/api-process.ts";
import { createTestDatabase } from "../../../../test/support/database.ts";
import { startTestRedis } from "../../../../test/support/redis.ts";
import { parseLimitField } from "./support/rate-limit-headers.ts";

// This file owns its Redis: it stops, restarts, freezes (SIGSTOP) and thaws it.
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let redis: Awaited<ReturnType<typeof startTestRedis>>;
let apis: ApiProcess[];

/** Never wait on a request longer than this: a hang fails the test instead of stalling it. */
const BOUND_MS = 5_000;

beforeAll(async () => {
  [database, redis] = await Promise.all([createTestDatabase(), startTestRedis()]);
  // One after another: three processes compiling at once on two busy cores can outlast the
  // readiness wait.
  apis = [];
  for (const i of [1, 2, 3]) {
    apis.push(
      await spawnApi({
        INSTANCE_ID: `outage-${i}`,
        // The third shows the alternative login outage mode: a per-instance limit of 5 / 2.
        ...(i === 3 ? { RATE_LIMIT_LOGIN_ON_REDIS_ERROR: "local" } : {}),
        DATABASE_URL: database.url,
        REDIS_STATE_URL: redis.url,
        TRUSTED_PROXIES: "127.0.0.1",
        ARGON2_MEMORY_KIB: "8192",
        ARGON2_TIME_COST: "1",
        DRAIN_DELAY_MS: "0",
        REDIS_COMMAND_TIMEOUT_MS: "200",
        RATE_LIMIT_REDIS_RETRY_MS: "300",
        // Two instances: the per-instance fallback allows 4 / 2 = 2.
        RATE_LIMIT_EXPECTED_INSTANCES: "2",
        RATE_LIMIT_DEFAULT_MAX: "4",
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  await Promise.allSettled((apis ?? []).map((a) => a.stop()));
  await redis?.stop();
  await database?.drop();
});

let clients = 0;
/** A fresh client address (X-Forwarded-For from the trusted proxy), so buckets never overlap. */
const newClient = () => `198.51.100.${++clients}`;

async function send(api: ApiProcess, path: string, client: string, init: RequestInit = {}) {
  const response = await fetch(`${api.url}${path}`, {
    ...init,
    headers: { "content-type": "application/json", "x-forwarded-for": client },
    signal: AbortSignal.timeout(BOUND_MS),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

/** A failed login; the email is new each time, so only the address rule can bite. */
const login = (api: ApiProcess, client: string, email = `${client}@example.test`) =>
  send(api, "/api/auth/login", client, {
    method: "POST",
    body: JSON.stringify({ email, password: "wrong password" }),
  });
/** A read under the default policy that needs no session. */
const read = (api: ApiProcess, client: string) => send(api, "/api/categories", client);

async function decisions(api: ApiProcess, limiter: string, outcome: string): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const line = text
    .split("\n")
    .find(
      (l) =>
        l.startsWith(`rate_limit_decisions_total{`) &&
        l.includes(`limiter="${limiter}"`) &&
        l.includes(`outcome="${outcome}"`),
    );
  return line ? Number(line.split(" ").pop()) : 0;
}

/** How often `text` appears in the instance's log so far. */
const logged = (api: ApiProcess, text: string) => api.output().split(text).length - 1;

/** The documented degraded behaviour, whatever the cause of the outage. */
async function expectDegraded(): Promise<void> {
  const [api] = apis as [ApiProcess];
  // Login fails closed: a fast 503 problem, with Retry-After.
  const refused = await login(api, newClient());
  expect(refused.status).toBe(503);
  expect(refused.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
  expect(JSON.parse(refused.text)).toMatchObject({
    type: "https://iana.org/assignments/http-problem-types#temporary-reduced-capacity",
    status: 503,
  });
  // Reads fail open to a per-instance limit of max / expected instances.
  const client = newClient();
  const reads = [await read(api, client), await read(api, client), await read(api, client)];
  expect(reads.map((r) => r.status === 429)).toEqual([false, false, true]);
  expect(parseLimitField(reads[0]!.headers.get("ratelimit-policy"))).toEqual([
    { name: "default", params: { q: 2, w: 60 } },
  ]);
  const localLogin = newClient();
  const attempts = [];
  for (let i = 0; i < 3; i++) attempts.push((await login(apis[2]!, localLogin)).status);
  expect(attempts).toEqual([401, 401, 429]);
  expect(await decisions(api, "login", "unavailable")).toBeGreaterThan(0);
  expect(await decisions(api, "default", "fallback")).toBeGreaterThan(0);
  expect(await decisions(api, "default", "fallback_limited")).toBeGreaterThan(0);
}

/** Counting is back in Redis: the cluster-wide limit of 4 over both instances, not 2 each. */
async function expectRecovered(): Promise<void> {
  await expect
    .poll(async () => (await login(apis[0]!, newClient())).status, {
      timeout: 20_000,
      interval: 200,
    })
    .toBe(401);
  const client = newClient();
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push((await read(apis[i % 2]!, client)).status === 429);
  expect(statuses).toEqual([false, false, false, false, true, true]);
}

/** Runs `outage` (which must undo itself in a finally) and checks the log says so, once. */
async function throughOutage(outage: (degraded: () => Promise<void>) => Promise<void>) {
  const api = apis[0]!;
  const [before, restoredBefore] = [
    logged(api, "rate limiting degraded"),
    logged(api, "rate limiting restored"),
  ];
  await outage(expectDegraded);
  expect(logged(api, "rate limiting degraded")).toBe(before + 1);
  await expectRecovered();
  expect(logged(api, "rate limiting restored")).toBe(restoredBefore + 1);
}

describe("rate limits when the state Redis is unreachable", () => {
  it("counts in Redis while it is up", async () => {
    expect((await login(apis[0]!, newClient())).status).toBe(401);
    expect(await decisions(apis[0]!, "login", "allowed")).toBeGreaterThan(0);
  });

  it("Redis stopped: no hang, login fails closed, reads use the local limit, then recovery", async () => {
    await throughOutage(async (degraded) => {
      await redis.stop();
      try {
        await degraded();
      } finally {
        const restarted = await startRedis({
          dataDir: redis.dataDir,
          port: redis.port,
          maxmemoryPolicy: "noeviction",
        });
        redis = { ...restarted, dataDir: redis.dataDir };
      }
    });
  });

  it("Redis frozen (SIGSTOP): no hang, the same fallback, recovery after SIGCONT", async () => {
    await throughOutage(async (degraded) => {
      // Only the Redis this file started; always thawed, whatever the assertions do.
      const pid = redis.process.pid;
      process.kill(pid, "SIGSTOP");
      try {
        await degraded();
      } finally {
        process.kill(pid, "SIGCONT");
      }
    });
  });
});
