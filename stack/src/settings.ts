import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import {
  MAX_TIMER_MS,
  parseEnv,
  uploadRequestLimit,
  variables,
  wholeNumberVar,
} from "@strata/config";
import { stackDrainDelayMs } from "./nginx/upstream-policy.ts";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

// The instances' own rule for numbers (digits only), so both read a setting the same way.
const int = wholeNumberVar;

/**
 * The stack runner's own variables (STRATA_*), each with its default; README's "Stack runner"
 * section lists the same. The API's variables (DB_POOL_SIZE, BODY_LIMIT_BYTES, ...) come from
 * @strata/config so the runner and the instances read them identically.
 */
export const stackVariables = {
  STRATA_DATA_DIR: z
    .string()
    .default(path.join(repoRoot, ".data"))
    .describe("folder for every server's data, logs, pid files and the control socket"),
  STRATA_HOST: z.string().default("127.0.0.1").describe("address nginx listens on"),
  STRATA_PORT: int(1, 65535).default(8080).describe("port nginx listens on"),
  STRATA_INSTANCES: int(1, 64)
    .default(3)
    .describe("API instances (the last is the backup when there are 2 or more)"),
  STRATA_WORKERS: int(0, 16).default(1).describe("worker processes"),
  STRATA_PRODUCTS: int(0, 10_000_000).default(10_000).describe("products seeded on first start"),
  STRATA_DRAIN_DELAY_MS: int(0, MAX_TIMER_MS)
    .default(stackDrainDelayMs)
    .describe("DRAIN_DELAY_MS given to instances (see upstream-policy.ts for why it is short)"),
  STRATA_READY_TIMEOUT_MS: int(1000, MAX_TIMER_MS)
    .default(90_000)
    .describe("how long a process may take to become ready"),
  STRATA_DB_RESERVE: int(0)
    .default(10)
    .describe(
      "PostgreSQL connections kept out of the pools' budget (psql, migrations, monitoring)",
    ),
  STRATA_PG_MAX_CONNECTIONS: int(20, 10_000)
    .default(200)
    .describe("max_connections of the private PostgreSQL"),
  STRATA_CACHE_MAXMEMORY: z
    .string()
    .regex(/^\d+(kb|mb|gb)?$/i, "must be a Redis size such as 256mb")
    .default("256mb")
    .describe("maxmemory of the private cache Redis (LRU evicts above it)"),
};

/** External services: when set, the runner uses them and starts nothing for them. */
const externalVariables = {
  DATABASE_URL: variables.databaseVars.DATABASE_URL.optional(),
  REDIS_STATE_URL: variables.redisVars.REDIS_STATE_URL.optional(),
  REDIS_CACHE_URL: variables.redisVars.REDIS_CACHE_URL,
  S3_ENDPOINT: z.url().optional(),
  S3_BUCKET: z.string().default("strata"),
  S3_REGION: z.string().default("us-east-1"),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  ADMIN_EMAIL: variables.adminVars.ADMIN_EMAIL,
  ADMIN_PASSWORD: variables.adminVars.ADMIN_PASSWORD,
};

/** API variables the runner needs to agree with (pool budget, nginx limits, stop bounds). */
const apiVariables = {
  NODE_ENV: variables.commonVars.NODE_ENV,
  DB_POOL_SIZE: variables.databaseVars.DB_POOL_SIZE,
  DB_POOL_OVERFLOW: variables.databaseVars.DB_POOL_OVERFLOW,
  BODY_LIMIT_BYTES: variables.httpVars.BODY_LIMIT_BYTES,
  KEEP_ALIVE_TIMEOUT_MS: variables.httpVars.KEEP_ALIVE_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS: variables.httpVars.REQUEST_TIMEOUT_MS,
  SHUTDOWN_TIMEOUT_MS: variables.httpVars.SHUTDOWN_TIMEOUT_MS,
  UPLOAD_LIMIT_BYTES: variables.uploadVars.UPLOAD_LIMIT_BYTES,
  IMPORT_LIMIT_BYTES: variables.uploadVars.IMPORT_LIMIT_BYTES,
};

export interface StackFlags {
  instances?: number;
  products?: number;
  reset?: boolean;
  /** Put a private PgBouncer (transaction mode) between the processes and PostgreSQL. */
  pgbouncer?: boolean;
}

export interface StackSettings {
  dataDir: string;
  host: string;
  port: number;
  instances: number;
  workers: number;
  products: number;
  reset: boolean;
  pgbouncer: boolean;
  drainDelayMs: number;
  readyTimeoutMs: number;
  nodeEnv: "development" | "test" | "production";
  db: {
    url?: string;
    poolSize: number;
    poolOverflow: number;
    reserve: number;
    privateMaxConnections: number;
  };
  redis: { stateUrl?: string; cacheUrl?: string; cacheMaxmemory: string };
  s3: {
    endpoint?: string;
    bucket: string;
    region: string;
    accessKeyId?: string;
    secretAccessKey?: string;
  };
  admin?: { email: string; password: string };
  api: {
    bodyLimitBytes: number;
    keepAliveTimeoutMs: number;
    requestTimeoutMs: number;
    shutdownTimeoutMs: number;
    /** Request-body limits of the upload routes, as the API computes them. */
    uploads: { imageRequestBytes: number; importRequestBytes: number };
  };
  /** The environment handed to every child process, before its own variables. */
  baseEnv: NodeJS.ProcessEnv;
}

/** Reads the runner's settings from the environment; flags override their variables. */
export function loadStackSettings(
  env: NodeJS.ProcessEnv = process.env,
  flags: StackFlags = {},
): StackSettings {
  const v = parseEnv({ ...stackVariables, ...externalVariables, ...apiVariables }, env, (v, p) => {
    if ((v.ADMIN_EMAIL === undefined) !== (v.ADMIN_PASSWORD === undefined)) {
      p.push("ADMIN_EMAIL and ADMIN_PASSWORD must be set together");
    }
    if (v.S3_ENDPOINT && (!v.S3_ACCESS_KEY_ID || !v.S3_SECRET_ACCESS_KEY)) {
      p.push("S3_ENDPOINT needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY");
    }
    if (v.REDIS_CACHE_URL && !v.REDIS_STATE_URL) {
      p.push("REDIS_CACHE_URL without REDIS_STATE_URL: set both, or neither for private servers");
    }
  });
  return {
    dataDir: path.resolve(v.STRATA_DATA_DIR),
    host: v.STRATA_HOST,
    port: v.STRATA_PORT,
    instances: flags.instances ?? v.STRATA_INSTANCES,
    workers: v.STRATA_WORKERS,
    products: flags.products ?? v.STRATA_PRODUCTS,
    reset: flags.reset ?? false,
    pgbouncer: flags.pgbouncer ?? false,
    drainDelayMs: v.STRATA_DRAIN_DELAY_MS,
    readyTimeoutMs: v.STRATA_READY_TIMEOUT_MS,
    nodeEnv: v.NODE_ENV,
    db: {
      url: v.DATABASE_URL,
      poolSize: v.DB_POOL_SIZE,
      poolOverflow: v.DB_POOL_OVERFLOW,
      reserve: v.STRATA_DB_RESERVE,
      privateMaxConnections: v.STRATA_PG_MAX_CONNECTIONS,
    },
    redis: {
      stateUrl: v.REDIS_STATE_URL,
      cacheUrl: v.REDIS_CACHE_URL,
      cacheMaxmemory: v.STRATA_CACHE_MAXMEMORY,
    },
    s3: {
      endpoint: v.S3_ENDPOINT,
      bucket: v.S3_BUCKET,
      region: v.S3_REGION,
      accessKeyId: v.S3_ACCESS_KEY_ID,
      secretAccessKey: v.S3_SECRET_ACCESS_KEY,
    },
    admin:
      v.ADMIN_EMAIL && v.ADMIN_PASSWORD
        ? { email: v.ADMIN_EMAIL, password: v.ADMIN_PASSWORD }
        : undefined,
    api: {
      bodyLimitBytes: v.BODY_LIMIT_BYTES,
      keepAliveTimeoutMs: v.KEEP_ALIVE_TIMEOUT_MS,
      requestTimeoutMs: v.REQUEST_TIMEOUT_MS,
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
      uploads: {
        imageRequestBytes: uploadRequestLimit(v.UPLOAD_LIMIT_BYTES),
        importRequestBytes: uploadRequestLimit(v.IMPORT_LIMIT_BYTES),
      },
    },
    baseEnv: { ...env },
  };
}
