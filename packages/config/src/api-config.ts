import { MAX_TIMER_MS } from "./env-types.ts";
import { parseEnv } from "./load.ts";
import {
  commonVars,
  databaseVars,
  httpVars,
  passwordSchedulingVars,
  passwordVars,
  rateLimitVars,
  redisVars,
  sessionVars,
  storageVars,
  uploadVars,
} from "./variables.ts";
import { toDatabaseConfig, type DatabaseConfig } from "./database-config.ts";
import { cacheVars, checkCacheValues, toCacheConfig, type CacheConfig } from "./cache-config.ts";
import {
  checkRateLimitValues,
  toRateLimitConfig,
  type RateLimitConfig,
} from "./rate-limit-config.ts";
import { checkStorageValues, toStorageConfig, type StorageConfig } from "./storage-config.ts";
import { checkOpsValues, opsVars, toOpsConfig, type OpsConfig } from "./ops-config.ts";
import { checkTrustedProxies } from "./trusted-proxies.ts";

export const apiVariables = {
  ...commonVars,
  ...httpVars,
  ...databaseVars,
  ...redisVars,
  ...sessionVars,
  ...passwordVars,
  ...passwordSchedulingVars,
  ...rateLimitVars,
  ...cacheVars,
  ...storageVars,
  ...uploadVars,
  ...opsVars,
};

export interface ApiConfig {
  env: "development" | "test" | "production";
  logLevel: string;
  instanceId: string;
  http: {
    host: string;
    port: number;
    trustedProxies: string[];
    bodyLimitBytes: number;
    keepAliveTimeoutMs: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    idempotencyClaimMs: number;
    drainDelayMs: number;
    shutdownTimeoutMs: number;
  };
  db: DatabaseConfig;
  redis: { stateUrl: string; cacheUrl: string; commandTimeoutMs: number };
  session: { ttlSeconds: number; cookieName: string; cookieSecure: boolean };
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /** At most `concurrency` argon2 computations at once, `maxWaiting` more in line. */
  hashing: { concurrency: number; maxWaiting: number };
  rateLimit: RateLimitConfig;
  cache: CacheConfig;
  storage: StorageConfig;
  /** Largest uploaded file, in bytes: images and CSV imports. */
  uploads: { imageLimitBytes: number; importLimitBytes: number };
  ops: OpsConfig;
}

/** Reads and validates the API process's configuration from the environment. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const v = parseEnv(apiVariables, env, (v, problems) => {
    if (v.HEADERS_TIMEOUT_MS <= v.KEEP_ALIVE_TIMEOUT_MS) {
      problems.push(
        `HEADERS_TIMEOUT_MS (${v.HEADERS_TIMEOUT_MS}) must exceed KEEP_ALIVE_TIMEOUT_MS (${v.KEEP_ALIVE_TIMEOUT_MS}), or idle sockets race new requests`,
      );
    }
    // One timer covers both (the process is killed when the drain and the shutdown overrun).
    if (v.DRAIN_DELAY_MS + v.SHUTDOWN_TIMEOUT_MS > MAX_TIMER_MS) {
      problems.push(
        `DRAIN_DELAY_MS + SHUTDOWN_TIMEOUT_MS (${v.DRAIN_DELAY_MS + v.SHUTDOWN_TIMEOUT_MS}) must be at most ${MAX_TIMER_MS}, the longest timer`,
      );
    }
    if (v.NODE_ENV === "production" && v.SESSION_COOKIE_SECURE === false) {
      problems.push("SESSION_COOKIE_SECURE=false is refused in production");
    }
    checkTrustedProxies(v.TRUSTED_PROXIES, problems);
    checkRateLimitValues(v, problems);
    checkCacheValues(v, problems);
    checkStorageValues(v, problems);
    checkOpsValues(v, problems);
  });
  return {
    env: v.NODE_ENV,
    logLevel: v.LOG_LEVEL,
    instanceId: v.INSTANCE_ID,
    http: {
      host: v.HOST,
      port: v.PORT,
      trustedProxies: v.TRUSTED_PROXIES,
      bodyLimitBytes: v.BODY_LIMIT_BYTES,
      keepAliveTimeoutMs: v.KEEP_ALIVE_TIMEOUT_MS,
      headersTimeoutMs: v.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: v.REQUEST_TIMEOUT_MS,
      idempotencyClaimMs: v.IDEMPOTENCY_CLAIM_MS,
      drainDelayMs: v.DRAIN_DELAY_MS,
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    },
    db: toDatabaseConfig(v),
    redis: {
      stateUrl: v.REDIS_STATE_URL,
      cacheUrl: v.REDIS_CACHE_URL ?? v.REDIS_STATE_URL,
      commandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS,
    },
    session: {
      ttlSeconds: v.SESSION_TTL_S,
      cookieName: v.SESSION_COOKIE_NAME,
      cookieSecure: v.SESSION_COOKIE_SECURE ?? v.NODE_ENV === "production",
    },
    cache: toCacheConfig(v),
    argon2: {
      memoryCost: v.ARGON2_MEMORY_KIB,
      timeCost: v.ARGON2_TIME_COST,
      parallelism: v.ARGON2_PARALLELISM,
    },
    hashing: { concurrency: v.ARGON2_CONCURRENCY, maxWaiting: v.ARGON2_MAX_WAITING },
    rateLimit: toRateLimitConfig(v),
    storage: toStorageConfig(v),
    uploads: { imageLimitBytes: v.UPLOAD_LIMIT_BYTES, importLimitBytes: v.IMPORT_LIMIT_BYTES },
    ops: toOpsConfig(v),
  };
}
