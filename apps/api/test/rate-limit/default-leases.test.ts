import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { buildApp } from "../../src/app.ts";
import { permitCountKey } from "../../src/rate-limit/permit-lease-script.ts";
import { startBackends, testConfig, type TestBackends } from "../support/test-api.ts";
import { addPing } from "./support/instances.ts";
import { remainingOf } from "./support/rate-limit-headers.ts";

// The default policy's permit leases as an instance runs them (the plugin's wiring); the
// exactness and bookkeeping of leases are tested in permit-leases.test.ts.
let backends: TestBackends;
let redis: Redis;
let app: FastifyInstance;

beforeAll(async () => {
  backends = await startBackends();
  redis = new Redis(backends.redisUrl);
  app = await buildApp(testConfig(backends, { RATE_LIMIT_DEFAULT_MAX: "1000" }));
  addPing(app);
  await app.ready();
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([app?.close(), redis?.quit()]);
  await backends?.stop();
});

const KEY = "ratelimit:default:a:192.0.2.60";

describe("the default policy leases permits", () => {
  it("admits reads from a lease, reports their remaining quota, counts every decision, and gives unused permits back on close", async () => {
    const remaining = [];
    for (let i = 0; i < 40; i++) {
      const response = await app.inject({ url: "/api/test/ping", remoteAddress: "192.0.2.60" });
      expect(response.statusCode).toBe(200);
      remaining.push(remainingOf(response.headers.ratelimit as string, "default"));
    }
    expect(remaining).toEqual(Array.from({ length: 40 }, (_, i) => 999 - i));
    // A first batch of 32 (1000 / (2 × 3 expected instances) > 32) and, once it was half
    // used, the next one reserved ahead: 62 if that came quickly (the batch doubles), else 32.
    expect([32 + 62, 32 + 32]).toContain(Number(await redis.get(permitCountKey(KEY))));
    const metrics = (await app.inject({ url: "/metrics" })).body;
    expect(metrics).toMatch(
      /^rate_limit_decisions_total\{[^}]*limiter="default"[^}]*outcome="allowed"[^}]*\} 40$/m,
    );

    // The login policy stays one exact call per request: no spare entries.
    await app.inject({
      method: "POST",
      url: "/api/auth/login",
      remoteAddress: "192.0.2.60",
      payload: { email: "nobody@example.test", password: "wrong password" },
    });
    expect(await redis.zcard("ratelimit:login-address:a:192.0.2.60")).toBe(1);

    await app.close();
    expect(Number(await redis.get(permitCountKey(KEY)))).toBe(40);
  });
});
