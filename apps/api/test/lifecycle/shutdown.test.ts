import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.ts";
import { startBackends, testConfig, type TestBackends } from "../support/test-api.ts";
import { spawnApi } from "../support/api-process.ts";
import { startTestRedis } from "../../../../test/support/redis.ts";

let backends: TestBackends;
beforeAll(async () => {
  backends = await startBackends();
});
afterAll(() => backends.stop());

function baseEnv(): Record<string, string> {
  return {
    DATABASE_URL: backends.databaseUrl,
    REDIS_STATE_URL: backends.redisUrl,
    INSTANCE_ID: "shutdown-test",
  };
}

describe("graceful shutdown", () => {
  it("on SIGTERM turns /ready to 503, keeps serving through the drain, finishes the in-flight request, exits 0", async () => {
    const api = await spawnApi({
      ...baseEnv(),
      DRAIN_DELAY_MS: "1500",
      SHUTDOWN_TIMEOUT_MS: "10000",
    });
    // Hold a lock on categories so GET /api/categories stays in flight until we let go.
    const locker = new pg.Client({ connectionString: backends.databaseUrl });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE categories IN ACCESS EXCLUSIVE MODE");
      const slow = fetch(`${api.url}/api/categories`);
      await new Promise((r) => setTimeout(r, 300));

      api.child.kill("SIGTERM");
      await expect
        .poll(async () => (await fetch(`${api.url}/ready`)).status, { timeout: 5000 })
        .toBe(503);
      // Still serving during the drain delay, and asking the balancer to drop keep-alive.
      const during = await fetch(`${api.url}/health`);
      expect(during.status).toBe(200);
      expect(during.headers.get("connection")).toBe("close");

      await new Promise((r) => setTimeout(r, 1500));
      await locker.query("COMMIT");
      const response = await slow;
      expect(response.status).toBe(200);
      expect(await api.exited).toEqual({ code: 0, signal: null });
    } finally {
      await locker.end();
      await api.stop();
    }
  });

  it("advertises a keep-alive timeout longer than nginx's 60 s upstream keepalive_timeout", async () => {
    const api = await spawnApi({ ...baseEnv(), DRAIN_DELAY_MS: "0" });
    try {
      const response = await fetch(`${api.url}/health`);
      const keepAlive = /timeout=(\d+)/.exec(response.headers.get("keep-alive") ?? "");
      expect(Number(keepAlive?.[1])).toBeGreaterThan(60);
    } finally {
      api.child.kill("SIGTERM");
      expect((await api.exited).code).toBe(0);
    }
  });

  it("sets the headers timeout above the keep-alive timeout on the real server", async () => {
    const app = await buildApp(testConfig(backends));
    try {
      expect(app.server.keepAliveTimeout).toBe(72_000);
      expect(app.server.headersTimeout).toBeGreaterThan(app.server.keepAliveTimeout);
    } finally {
      await app.close();
    }
  });
});

describe("start-up", () => {
  it("stops with one message naming every bad variable", async () => {
    const api = await spawnApi(
      { DATABASE_URL: "mysql://nope", REDIS_STATE_URL: "", PORT: "70000", DB_POOL_SIZE: "lots" },
      { waitReady: false },
    );
    const { code } = await api.exited;
    expect(code).toBe(1);
    const output = api.output();
    for (const name of ["DATABASE_URL", "REDIS_STATE_URL", "PORT", "DB_POOL_SIZE"])
      expect(output).toContain(name);
    expect(output.match(/invalid configuration/g)).toHaveLength(1);
  });

  it("refuses a state Redis that may evict keys", async () => {
    const lru = await startTestRedis("allkeys-lru");
    try {
      const api = await spawnApi({ ...baseEnv(), REDIS_STATE_URL: lru.url }, { waitReady: false });
      const { code } = await api.exited;
      expect(code).not.toBe(0);
      expect(api.output()).toMatch(/noeviction/);
    } finally {
      await lru.stop();
    }
  });
});
