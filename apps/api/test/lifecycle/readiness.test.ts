import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "@strata/db";
import {
  startPostgres,
  startRedis,
  type PostgresServer,
  type RedisServer,
} from "@strata/local-servers";
import { buildApp } from "../../src/app.ts";
import { testConfig } from "../support/test-api.ts";
import type { FastifyInstance } from "fastify";

// This file owns its PostgreSQL and Redis servers: it stops and restarts them.
let dir: string;
let postgres: PostgresServer;
let redis: RedisServer;
let app: FastifyInstance;
let url: string;

async function startApp(env: Record<string, string> = {}) {
  const instance = await buildApp(
    testConfig(
      { databaseUrl: postgres.url, redisUrl: redis.url, stop: async () => {} },
      {
        DB_POOL_CHECK_IDLE_MS: "0",
        ...env,
      },
    ),
  );
  // A route that needs the pool, so outages are seen through a real HTTP request.
  instance.get("/test/now", async () => (await instance.db.query("SELECT now() AS now")).rows[0]);
  await instance.listen({ host: "127.0.0.1", port: 0 });
  const address = instance.server.address();
  return {
    instance,
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
  };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-readiness-"));
  postgres = await startPostgres({ dataDir: path.join(dir, "pg"), ephemeral: true });
  await migrate(postgres.url);
  redis = await startRedis({ dataDir: path.join(dir, "redis"), maxmemoryPolicy: "noeviction" });
  ({ instance: app, url } = await startApp());
});

afterAll(async () => {
  await app?.close();
  await redis?.stop();
  await postgres?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("/health and /ready", () => {
  it("reports pass with every dependency up", async () => {
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get("content-type")).toMatch(/^application\/health\+json/);
    const body = (await ready.json()) as {
      status: string;
      checks: Record<string, { status: string }[]>;
    };
    expect(body.status).toBe("pass");
    expect(Object.keys(body.checks)).toEqual(
      expect.arrayContaining([
        "postgresql:responseTime",
        "redis-state:responseTime",
        "process:phase",
      ]),
    );
  });

  it("answers 503 from an instance that is built but not yet listening", async () => {
    const starting = await buildApp(
      testConfig({ databaseUrl: postgres.url, redisUrl: redis.url, stop: async () => {} }),
    );
    try {
      const response = await starting.inject({ url: "/ready" });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ status: "fail", phase: "starting" });
    } finally {
      await starting.close();
    }
  });

  it("warns but stays ready when Redis is down, and recovers by itself", async () => {
    await redis.stop();
    try {
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as {
        status: string;
        checks: Record<string, { status: string }[]>;
      };
      expect(body.status).toBe("warn");
      expect(body.checks["redis-state:responseTime"]![0]!.status).toBe("warn");
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      redis = await startRedis({
        dataDir: path.join(dir, "redis"),
        port: redis.port,
        maxmemoryPolicy: "noeviction",
      });
    }
    await expect
      .poll(
        async () => ((await (await fetch(`${url}/ready`)).json()) as { status: string }).status,
        { timeout: 15_000 },
      )
      .toBe("pass");
  });

  it("starts while Redis is down (ready with a warning) and recovers by itself", async () => {
    // Before, the app cache's and the live events' SUBSCRIBE waited in ioredis' offline queue
    // for as long as Redis was away, and the instance died of Fastify's 10 s plugin timeout.
    await redis.stop();
    let started: Awaited<ReturnType<typeof startApp>> | undefined;
    try {
      const since = Date.now();
      started = await startApp();
      expect(Date.now() - since).toBeLessThan(5_000);
      const ready = await fetch(`${started.url}/ready`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { status: string }).status).toBe("warn");
    } finally {
      redis = await startRedis({
        dataDir: path.join(dir, "redis"),
        port: redis.port,
        maxmemoryPolicy: "noeviction",
      });
    }
    try {
      await expect
        .poll(
          async () =>
            ((await (await fetch(`${started.url}/ready`)).json()) as { status: string }).status,
          { timeout: 15_000 },
        )
        .toBe("pass");
    } finally {
      await started.instance.close();
    }
  });

  it("started while Redis is down, shuts down without waiting for it", async () => {
    await redis.stop();
    const started = await startApp();
    try {
      // Before, QUIT waited in the subscribers' offline queues for Redis to come back, and
      // only the process's grace timer ended the shutdown (exit 1). A new user's finding.
      const outcome = await Promise.race([
        started.instance.close().then(() => "closed"),
        new Promise((resolve) => setTimeout(resolve, 8_000, "still closing")),
      ]);
      expect(outcome).toBe("closed");
    } finally {
      redis = await startRedis({
        dataDir: path.join(dir, "redis"),
        port: redis.port,
        maxmemoryPolicy: "noeviction",
      });
    }
  });

  it("survives a PostgreSQL restart: fast 503s during the outage, then recovery without a restart", async () => {
    expect((await fetch(`${url}/test/now`)).status).toBe(200);
    await postgres.stop();
    try {
      const during = await fetch(`${url}/test/now`);
      expect(during.status).toBe(503);
      expect(during.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(during.headers.get("retry-after")).toBeTruthy();
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(503);
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      postgres = await startPostgres({
        dataDir: path.join(dir, "pg"),
        port: postgres.port,
        ephemeral: true,
      });
    }
    await expect
      .poll(async () => (await fetch(`${url}/test/now`)).status, { timeout: 15_000 })
      .toBe(200);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
  });

  it("answers 503 with Retry-After at once when the pool is exhausted", async () => {
    const { instance, url: smallUrl } = await startApp({
      DB_POOL_SIZE: "1",
      DB_POOL_OVERFLOW: "0",
      DB_POOL_ACQUIRE_TIMEOUT_MS: "200",
    });
    let release!: () => void;
    const held = instance.db.withClient(() => new Promise<void>((resolve) => (release = resolve)));
    try {
      const started = Date.now();
      const response = await fetch(`${smallUrl}/test/now`);
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("1");
      expect(((await response.json()) as { title: string }).title).toBe("Service Unavailable");
      // Bounded by the acquire timeout, not by the holder: generous margin for a noisy machine.
      expect(Date.now() - started).toBeLessThan(10_000);
      // Readiness uses its own connection, so a busy pool is not reported as down.
      expect((await fetch(`${smallUrl}/ready`)).status).toBe(200);
    } finally {
      release();
      await held;
      await instance.close();
    }
  });
});
