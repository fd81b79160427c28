import { parseEnv } from "./load.ts";
import { commonVars, databaseVars, redisVars, storageVars, workerVars } from "./variables.ts";
import { toDatabaseConfig, type DatabaseConfig } from "./database-config.ts";
import { cacheVars, checkCacheValues, toCacheConfig, type CacheConfig } from "./cache-config.ts";
import { checkStorageValues, toStorageConfig, type StorageConfig } from "./storage-config.ts";

export const workerVariables = {
  ...commonVars,
  ...databaseVars,
  ...redisVars,
  ...storageVars,
  ...workerVars,
  // The worker writes catalogue data too (thumbnails, imports) and must invalidate every tier.
  ...cacheVars,
};

export interface WorkerConfig {
  env: "development" | "test" | "production";
  logLevel: string;
  instanceId: string;
  http: { host: string; port: number };
  db: DatabaseConfig;
  redis: { stateUrl: string; cacheUrl: string; commandTimeoutMs: number };
  cache: CacheConfig;
  storage: StorageConfig;
  concurrency: { thumbnails: number; imports: number };
  shutdownTimeoutMs: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  importBatchSize: number;
}

/** Reads and validates the worker process's configuration from the environment. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const v = parseEnv(workerVariables, env, (v, problems) => {
    checkStorageValues(v, problems);
    checkCacheValues(v, problems);
    if (v.WORKER_STALLED_INTERVAL_MS > v.WORKER_LOCK_DURATION_MS) {
      problems.push(
        `WORKER_STALLED_INTERVAL_MS (${v.WORKER_STALLED_INTERVAL_MS}) must not exceed WORKER_LOCK_DURATION_MS (${v.WORKER_LOCK_DURATION_MS})`,
      );
    }
  });
  return {
    env: v.NODE_ENV,
    logLevel: v.LOG_LEVEL,
    instanceId: v.INSTANCE_ID,
    http: { host: v.WORKER_HOST, port: v.WORKER_PORT },
    db: toDatabaseConfig(v),
    redis: {
      stateUrl: v.REDIS_STATE_URL,
      cacheUrl: v.REDIS_CACHE_URL ?? v.REDIS_STATE_URL,
      commandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS,
    },
    cache: toCacheConfig(v),
    storage: toStorageConfig(v),
    concurrency: { thumbnails: v.WORKER_CONCURRENCY, imports: v.WORKER_IMPORT_CONCURRENCY },
    shutdownTimeoutMs: v.WORKER_SHUTDOWN_TIMEOUT_MS,
    lockDurationMs: v.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: v.WORKER_STALLED_INTERVAL_MS,
    importBatchSize: v.IMPORT_BATCH_SIZE,
  };
}
