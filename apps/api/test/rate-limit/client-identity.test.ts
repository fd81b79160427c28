import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { buildApp } from "../../src/app.ts";
import { startBackends, testConfig, type TestBackends } from "../support/test-api.ts";
import { remainingOf } from "./support/rate-limit-headers.ts";

let backends: TestBackends;
let redis: Redis;
/** No proxy trusted: an instance reached directly. */
let direct: FastifyInstance;
/** 127.0.0.1 trusted: an instance behind nginx. */
let proxied: FastifyInstance;

async function appWith(trustedProxies: string): Promise<FastifyInstance> {
  const app = await buildApp(
    testConfig(backends, { TRUSTED_PROXIES: trustedProxies, RATE_LIMIT_DEFAULT_MAX: "2" }),
  );
  app.get("/api/test/ping", async () => ({ ok: true }));
  app.get("/api/test/public", async (_request, reply) => {
    reply.header("cache-control", "public, s-maxage=60");
    return { ok: true };
  });
  await app.ready();
  return app;
}

beforeAll(async () => {
  backends = await startBackends();
  redis = new Redis(backends.redisUrl);
  direct = await appWith("");
  proxied = await appWith("127.0.0.1");
});

afterAll(async () => {
  await Promise.allSettled([direct?.close(), proxied?.close(), redis?.quit()]);
  await backends?.stop();
});

beforeEach(async () => {
  await redis.flushall();
});

/** Statuses of `count` pings, one after another. */
async function pings(
  app: FastifyInstance,
  count: number,
  request: (i: number) => { remoteAddress: string; headers?: Record<string, string> },
): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await app.inject({ url: "/api/test/ping", ...request(i) });
    statuses.push(response.statusCode);
  }
  return statuses;
}

const forgeries = (i: number): Record<string, string> => ({
  "x-forwarded-for": `203.0.113.${i + 1}`,
  "x-real-ip": `198.51.100.${i + 1}`,
  forwarded: `for=192.0.2.${i + 1}`,
  "true-client-ip": `192.0.2.${i + 1}`,
});

describe("the rate-limit key is the client address, which no client header can choose", () => {
  it("directly at an instance: forged X-Forwarded-For, X-Real-IP and Forwarded are ignored", async () => {
    const statuses = await pings(direct, 4, (i) => ({
      remoteAddress: "192.0.2.50",
      headers: forgeries(i),
    }));
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it("behind the trusted proxy: nginx's X-Forwarded-For is the key, a forged left-most hop is not", async () => {
    // nginx overwrites the header with the address it saw; a client's own value could only
    // ever appear to the left of it.
    const statuses = await pings(proxied, 4, (i) => ({
      remoteAddress: "127.0.0.1",
      headers: { ...forgeries(i), "x-forwarded-for": `6.6.6.${i}, 198.51.100.7` },
    }));
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it("behind the trusted proxy: two clients are two buckets", async () => {
    const a = await pings(proxied, 2, () => ({
      remoteAddress: "127.0.0.1",
      headers: { "x-forwarded-for": "198.51.100.1" },
    }));
    const b = await pings(proxied, 3, () => ({
      remoteAddress: "127.0.0.1",
      headers: { "x-forwarded-for": "198.51.100.2" },
    }));
    expect(a).toEqual([200, 200]);
    expect(b).toEqual([200, 200, 429]);
  });

  it("a peer outside the trusted list is counted by its own address, whatever it forwards", async () => {
    const statuses = await pings(proxied, 3, (i) => ({
      remoteAddress: "10.9.8.7",
      headers: { "x-forwarded-for": `198.51.100.${i + 20}` },
    }));
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("two clients on different addresses never share a bucket", async () => {
    expect(await pings(direct, 2, () => ({ remoteAddress: "192.0.2.1" }))).toEqual([200, 200]);
    expect(await pings(direct, 2, () => ({ remoteAddress: "192.0.2.2" }))).toEqual([200, 200]);
    expect(await pings(direct, 1, () => ({ remoteAddress: "2001:db8:1:2::1" }))).toEqual([200]);
    expect(await pings(direct, 2, () => ({ remoteAddress: "2001:db8:1:3::1" }))).toEqual([
      200, 200,
    ]);
  });

  it("an IPv4-mapped IPv6 address is the IPv4 client; an IPv6 /64 is one client", async () => {
    expect(
      await pings(direct, 3, (i) => ({
        remoteAddress: i === 0 ? "203.0.113.9" : "::ffff:203.0.113.9",
      })),
    ).toEqual([200, 200, 429]);
    expect(
      await pings(direct, 3, (i) => ({ remoteAddress: `2001:db8:aa:bb:${i}::${i + 1}` })),
    ).toEqual([200, 200, 429]);
  });

  it("reports the remaining quota on every limited response", async () => {
    const first = await direct.inject({ url: "/api/test/ping", remoteAddress: "192.0.2.77" });
    expect(remainingOf(first.headers.ratelimit as string, "default")).toBe(1);
    expect(first.headers["ratelimit-policy"]).toBe('"default";q=2;w=60');
    // Probes are never limited.
    const health = await direct.inject({ url: "/health", remoteAddress: "192.0.2.77" });
    expect(health.headers.ratelimit).toBeUndefined();
  });

  it("leaves one client's remaining quota off a response a shared cache may store", async () => {
    const response = await direct.inject({ url: "/api/test/public", remoteAddress: "192.0.2.88" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["ratelimit-policy"]).toBe('"default";q=2;w=60');
    expect(response.headers.ratelimit).toBeUndefined();
  });
});

describe("nginx's cache refreshes are not a client's reads", () => {
  const refresh = { "x-cache-refresh": "1", "x-forwarded-for": "127.0.0.1" };

  it("a refresh through the trusted proxy is never counted, nor limited", async () => {
    // The writer's address has used its quota: its refreshes after a write still pass.
    expect(
      await pings(proxied, 2, () => ({
        remoteAddress: "127.0.0.1",
        headers: { "x-forwarded-for": "127.0.0.1" },
      })),
    ).toEqual([200, 200]);
    expect(
      await pings(proxied, 5, () => ({ remoteAddress: "127.0.0.1", headers: refresh })),
    ).toEqual([200, 200, 200, 200, 200]);
    // The same reads without the header are counted as before.
    expect(
      await pings(proxied, 1, () => ({
        remoteAddress: "127.0.0.1",
        headers: { "x-forwarded-for": "127.0.0.1" },
      })),
    ).toEqual([429]);
  });

  it("the header from anyone but the trusted proxy changes nothing", async () => {
    // nginx sets it only for a refresh it honoured: from a client it would be a free pass.
    expect(
      await pings(direct, 3, () => ({ remoteAddress: "127.0.0.1", headers: refresh })),
    ).toEqual([200, 200, 429]);
    expect(
      await pings(proxied, 3, () => ({ remoteAddress: "10.9.8.7", headers: refresh })),
    ).toEqual([200, 200, 429]);
  });
});
