import { execFile } from "node:child_process";
import { promisify } from "node:util";
import Fastify from "fastify";
import client from "prom-client";
import { describe, expect, it } from "vitest";
import { freePort } from "@strata/local-servers";
import { Readiness } from "../../apps/api/src/lifecycle/readiness.ts";
import healthRoutes from "../../apps/api/src/routes/health.ts";
import { startHttpServer, type WorkerPhase } from "../../apps/worker/src/http-server.ts";
import { fromRoot } from "./support/paths.ts";

const run = promisify(execFile);

/**
 * The probe paths in deploy/ are the ones the code serves, with the meaning the manifests
 * rely on: /health (liveness) passes while the process runs, /ready (readiness) fails while
 * draining. Checked on the real route and server code, with stand-ins for the dependencies.
 */
describe("probe endpoints the deployment files use", () => {
  it("API: /health passes; /ready passes while serving and fails once draining", async () => {
    const app = Fastify();
    const ping = async () => "PONG";
    app.decorate("redis", { state: { ping }, cache: { ping } } as never);
    const readiness = new Readiness();
    await app.register(healthRoutes, {
      readiness,
      databaseProbe: { check: async () => undefined, close: async () => undefined },
      checkTimeoutMs: 500,
    });
    try {
      expect((await app.inject("/health")).statusCode).toBe(200);
      expect((await app.inject("/ready")).statusCode).toBe(503); // starting
      readiness.markServing();
      const ready = await app.inject("/ready");
      expect(ready.statusCode).toBe(200);
      expect(ready.headers["content-type"]).toMatch(/^application\/health\+json/);
      readiness.markDraining();
      expect((await app.inject("/ready")).statusCode).toBe(503);
      // Liveness stays green while draining: the orchestrator must not kill a draining pod.
      expect((await app.inject("/health")).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("worker: /health, /ready and /metrics, and the images' HEALTHCHECK script", async () => {
    let phase: WorkerPhase = "serving";
    const registry = new client.Registry();
    const port = await freePort();
    const server = await startHttpServer("127.0.0.1", port, {
      phase: () => phase,
      checks: async () => ({ "redis-state": undefined, postgresql: undefined }),
      registry,
    });
    const healthcheck = (env: Record<string, string>) =>
      run(process.execPath, [fromRoot("deploy/docker/healthcheck.mjs"), "WORKER_PORT"], {
        env: { ...process.env, ...env },
      }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    try {
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
      expect(await healthcheck({ WORKER_PORT: String(port) })).toBe(0);
      phase = "draining";
      expect((await fetch(`${server.url}/ready`)).status).toBe(503);
      expect(await healthcheck({ WORKER_PORT: String(port) })).toBe(0);
    } finally {
      await server.close();
    }
    // Nothing listening, or no fixed port: unhealthy.
    expect(await healthcheck({ WORKER_PORT: String(port) })).toBe(1);
    expect(await healthcheck({ WORKER_PORT: "0" })).toBe(1);
  });
});
