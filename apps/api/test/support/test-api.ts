import type { FastifyInstance } from "fastify";
import { loadApiConfig, type ApiConfig } from "@strata/config";
import { buildApp } from "../../src/app.ts";
import { createTestDatabase } from "../../../../test/support/database.ts";
import { startTestRedis } from "../../../../test/support/redis.ts";

export interface TestBackends {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/** A fresh database (cloned from the migrated template) and a private Redis for one file. */
export async function startBackends(): Promise<TestBackends> {
  const [database, redis] = await Promise.all([createTestDatabase(), startTestRedis()]);
  return {
    databaseUrl: database.url,
    redisUrl: redis.url,
    async stop() {
      await Promise.allSettled([database.drop(), redis.stop()]);
    },
  };
}

/** Configuration for a test instance: real servers, cheap password hashing, short drains. */
export function testConfig(backends: TestBackends, env: Record<string, string> = {}): ApiConfig {
  return loadApiConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    INSTANCE_ID: "test-1",
    DATABASE_URL: backends.databaseUrl,
    REDIS_STATE_URL: backends.redisUrl,
    ARGON2_MEMORY_KIB: "8192",
    ARGON2_TIME_COST: "1",
    DRAIN_DELAY_MS: "0",
    ...env,
  });
}

export interface TestApi {
  app: FastifyInstance;
  /** http://127.0.0.1:<port> of the listening instance. */
  url: string;
  config: ApiConfig;
  close(): Promise<void>;
}

/** Builds the app and listens on a free port (so /ready reports "serving"). */
export async function startTestApi(
  backends: TestBackends,
  env: Record<string, string> = {},
): Promise<TestApi> {
  // The config keeps its default PORT; the instance itself listens on a free port (0).
  const config = testConfig(backends, env);
  const app = await buildApp(config);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}`, config, close: () => app.close() };
}
