import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  freePort,
  startPostgres,
  startRedis,
  type PostgresServer,
  type RedisServer,
} from "@strata/local-servers";
import { loadStackSettings, startStack, type Stack } from "@strata/stack";

/** The servers under the stack, owned by the harness so a drill can stop and restart them. */
export interface OwnedServers {
  postgres: PostgresServer;
  redisState: RedisServer;
  redisCache: RedisServer;
}

export interface HarnessStack {
  stack: Stack;
  dir: string;
  servers: OwnedServers;
  admin: { email: string; password: string };
  /** The environment every API instance of the stack gets (for variant instances and workers). */
  serviceEnv: Record<string, string>;
  /** Stops one owned server (cleanly: its own shutdown signal). */
  stopServer(name: keyof OwnedServers): Promise<void>;
  /** Starts it again on the same port and data folder, so every URL stays valid. */
  startServer(name: keyof OwnedServers): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  instances?: number;
  products?: number;
  workers?: number;
  /** Variables for every instance (RATE_LIMIT_*, LOG_LEVEL, ...). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

/** Variables that would point the stack at the caller's own services or credentials. */
const INHERITED_OUT = [
  "DATABASE_URL",
  "REDIS_STATE_URL",
  "REDIS_CACHE_URL",
  "S3_ENDPOINT",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
  "ADMIN_EMAIL",
  "ADMIN_PASSWORD",
];

/**
 * A whole stack on private servers in a temporary folder: PostgreSQL and the two Redis are
 * started here and handed to the stack runner as external services, so the harness (not the
 * runner) owns them and a drill can stop, freeze or restart them on the same ports. s3rver,
 * the API instances, the worker(s) and nginx are the stack runner's own.
 */
export async function startHarnessStack(options: HarnessOptions = {}): Promise<HarnessStack> {
  const log = options.log ?? (() => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-bench-"));
  const pgDir = path.join(dir, "postgres");
  const stateDir = path.join(dir, "redis-state");
  const cacheDir = path.join(dir, "redis-cache");
  log(`harness folder ${dir}`);
  const [postgres, redisState, redisCache] = await Promise.all([
    startPostgres({ dataDir: pgDir, maxConnections: 300, ephemeral: true }),
    startRedis({ dataDir: stateDir, maxmemoryPolicy: "noeviction", persistent: true }),
    startRedis({
      dataDir: cacheDir,
      maxmemoryPolicy: "allkeys-lru",
      maxmemory: "256mb",
      persistent: false,
    }),
  ]);
  const servers: OwnedServers = { postgres, redisState, redisCache };
  const admin = {
    email: "bench-admin@strata.test",
    password: crypto.randomBytes(18).toString("base64url"),
  };
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_OUT) delete env[name];
  Object.assign(env, {
    STRATA_DATA_DIR: path.join(dir, "stack"),
    STRATA_PORT: String(await freePort()),
    STRATA_PRODUCTS: String(options.products ?? 10_000),
    STRATA_WORKERS: String(options.workers ?? 1),
    DATABASE_URL: postgres.url,
    REDIS_STATE_URL: redisState.url,
    REDIS_CACHE_URL: redisCache.url,
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    // A log line per request would cost CPU the two cores need for the load itself.
    LOG_LEVEL: "warn",
    ...options.env,
  });
  const settings = loadStackSettings(env, { instances: options.instances ?? 3 });
  let stack: Stack;
  try {
    stack = await startStack(settings, { log });
  } catch (error) {
    await Promise.all([postgres.stop(), redisState.stop(), redisCache.stop()]);
    throw error;
  }
  const { s3 } = stack;
  const serviceEnv: Record<string, string> = {
    ...(Object.fromEntries(
      Object.entries(settings.baseEnv).filter(([, v]) => v !== undefined),
    ) as Record<string, string>),
    NODE_ENV: settings.nodeEnv,
    DATABASE_URL: postgres.url,
    REDIS_STATE_URL: redisState.url,
    REDIS_CACHE_URL: redisCache.url,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: "true",
  };
  return {
    stack,
    dir,
    servers,
    admin,
    serviceEnv,
    stopServer: (name) => servers[name].stop(),
    async startServer(name) {
      const port = servers[name].port;
      if (name === "postgres") {
        servers.postgres = await startPostgres({
          dataDir: pgDir,
          port,
          maxConnections: 300,
          ephemeral: true,
        });
      } else if (name === "redisState") {
        servers.redisState = await startRedis({
          dataDir: stateDir,
          port,
          maxmemoryPolicy: "noeviction",
          persistent: true,
        });
      } else {
        servers.redisCache = await startRedis({
          dataDir: cacheDir,
          port,
          maxmemoryPolicy: "allkeys-lru",
          maxmemory: "256mb",
          persistent: false,
        });
      }
    },
    async stop() {
      await stack.down();
      await Promise.all([
        servers.postgres.stop(),
        servers.redisState.stop(),
        servers.redisCache.stop(),
      ]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
