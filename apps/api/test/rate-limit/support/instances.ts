import type { FastifyInstance } from "fastify";
import { buildApp } from "../../../src/app.ts";
import { testConfig, type TestBackends } from "../../support/test-api.ts";

export interface Instance {
  app: FastifyInstance;
  url: string;
}

/** The test-only route every limiter test uses: under /api, so the default policy applies. */
export function addPing(app: FastifyInstance): void {
  app.get("/api/test/ping", async () => ({ ok: true }));
}

/**
 * `count` listening instances on one database and one Redis, as a cluster behind nginx
 * would be; `prepare` adds test routes before they start listening.
 */
export async function startInstances(
  backends: TestBackends,
  count: number,
  env: Record<string, string>,
  prepare: (app: FastifyInstance) => void = addPing,
): Promise<Instance[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const app = await buildApp(testConfig(backends, { INSTANCE_ID: `rl-${i + 1}`, ...env }));
      prepare(app);
      await app.listen({ host: "127.0.0.1", port: 0 });
      const address = app.server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      return { app, url: `http://127.0.0.1:${port}` };
    }),
  );
}
