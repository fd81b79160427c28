import os from "node:os";
import { z } from "zod";
import { bool, int, list, ms, port, url } from "./env-types.ts";

/**
 * Every environment variable strata reads, grouped by concern. Each is documented here, where
 * it is declared; `.env.example` and the README table are checked against these groups.
 */

export const commonVars = {
  NODE_ENV: z
    .enum(["development", "test", "production"])
    .default("development")
    .describe(
      "development, test or production; outside development placeholder secrets are refused",
    ),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info")
    .describe("pino log level"),
  INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1-64 letters, digits, dots, dashes or underscores")
    .default(`${os.hostname()}-${process.pid}`)
    .describe("name of this process in logs, metrics and the X-Instance header"),
};

export const httpVars = {
  HOST: z.string().min(1).default("127.0.0.1").describe("address the HTTP server binds to"),
  PORT: port.default(3000).describe("port the HTTP server listens on"),
  TRUSTED_PROXIES: list
    .default([])
    .describe(
      "comma-separated addresses or CIDRs of proxies (nginx) whose X-Forwarded-For is believed; empty trusts no one",
    ),
  BODY_LIMIT_BYTES: int(1024, 64 * 1024 * 1024)
    .default(1024 * 1024)
    .describe("largest JSON request body; nginx's client_max_body_size is generated from it"),
  KEEP_ALIVE_TIMEOUT_MS: ms(1000)
    .default(72_000)
    .describe(
      "idle keep-alive socket timeout; must exceed nginx's upstream keepalive_timeout (3 s) and the drain delay",
    ),
  HEADERS_TIMEOUT_MS: ms(1000)
    .default(75_000)
    .describe("time to receive request headers; must exceed KEEP_ALIVE_TIMEOUT_MS"),
  REQUEST_TIMEOUT_MS: ms(1000).default(30_000).describe("longest a request may take"),
  IDEMPOTENCY_CLAIM_MS: int(300, 60_000)
    .default(5_000)
    .describe(
      "lifetime of a running request's Idempotency-Key claim, renewed every third of it: how long a crashed instance blocks the key's retries",
    ),
  DRAIN_DELAY_MS: ms(0)
    .default(5_000)
    .describe("after SIGTERM, keep serving (with /ready at 503) this long so the balancer notices"),
  SHUTDOWN_TIMEOUT_MS: ms(100)
    .default(15_000)
    .describe("after the drain delay, the bound for in-flight requests to finish"),
};

export const databaseVars = {
  DATABASE_URL: url(["postgres", "postgresql"]).describe(
    "PostgreSQL connection URL; add ?pgbouncer=true when it is PgBouncer in transaction mode",
  ),
  DB_POOL_SIZE: int(1, 1000).default(20).describe("connections the pool keeps open (steady)"),
  DB_POOL_OVERFLOW: int(0, 1000)
    .default(10)
    .describe("extra connections opened under load and closed again when idle"),
  DB_POOL_IDLE_TIMEOUT_MS: ms(100)
    .default(10_000)
    .describe("how long an overflow connection may sit idle before it is closed"),
  DB_POOL_ACQUIRE_TIMEOUT_MS: ms(10)
    .default(2_000)
    .describe("longest a request waits for a free connection before a 503"),
  DB_POOL_MAX_LIFETIME_S: int(1).default(3600).describe("connections are recycled after this age"),
  DB_POOL_CHECK_IDLE_MS: ms(0)
    .default(30_000)
    .describe("a connection idle longer than this is checked with SELECT 1 before reuse"),
  DB_STATEMENT_TIMEOUT_MS: ms(10)
    .default(5_000)
    .describe(
      "PostgreSQL statement_timeout, sent at connect; behind PgBouncer the server side sets it (docs/deploy.md)",
    ),
};

export const redisVars = {
  REDIS_STATE_URL: url(["redis", "rediss"]).describe(
    "Redis for sessions, rate-limit counters and queues; must be maxmemory-policy noeviction",
  ),
  REDIS_CACHE_URL: url(["redis", "rediss"])
    .optional()
    .describe("Redis for the application cache (may evict); defaults to REDIS_STATE_URL"),
  REDIS_COMMAND_TIMEOUT_MS: ms(10)
    .default(500)
    .describe("a Redis command on the request path fails after this long instead of hanging"),
};

export const sessionVars = {
  SESSION_TTL_S: int(60)
    .default(7 * 24 * 3600)
    .describe("session lifetime in Redis"),
  SESSION_COOKIE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default("strata_session")
    .describe("name of the HttpOnly session cookie"),
  SESSION_COOKIE_SECURE: bool
    .optional()
    .describe("mark the session cookie Secure; defaults to true in production"),
};

/**
 * Rate limits (apps/api/src/rate-limit). Each counts in any rolling window of its length,
 * exactly, across every instance that shares the state Redis.
 */
export const rateLimitVars = {
  RATE_LIMIT_ENABLED: bool
    .default(true)
    .describe(
      "apply the rate limits below; false (benchmark baselines only) is refused in production",
    ),
  RATE_LIMIT_LOGIN_MAX: int(1, 1000)
    .default(5)
    .describe("login attempts one client address may make per RATE_LIMIT_LOGIN_WINDOW_S"),
  RATE_LIMIT_LOGIN_ACCOUNT_MAX: int(1, 1000)
    .default(5)
    .describe("login attempts on one account (normalised email) per window, from any address"),
  RATE_LIMIT_LOGIN_WINDOW_S: int(1, 86_400).default(60).describe("login rate-limit window"),
  RATE_LIMIT_LOGIN_ON_REDIS_ERROR: z
    .enum(["fail-closed", "local"])
    .default("fail-closed")
    .describe(
      "login while Redis is unreachable: fail-closed (503) or local (a per-instance limit of max / RATE_LIMIT_EXPECTED_INSTANCES)",
    ),
  RATE_LIMIT_USERS_MAX: int(1, 10_000)
    .default(100)
    .describe("requests to the users list (GET /api/users) per signed-in user per window"),
  RATE_LIMIT_USERS_WINDOW_S: int(1, 86_400).default(60).describe("users-list rate-limit window"),
  // The sliding log keeps one entry per counted request: the bound caps a key's memory.
  RATE_LIMIT_DEFAULT_MAX: int(1, 100_000)
    .default(120)
    .describe(
      "requests to any other /api route per signed-in user, or per client address, per window",
    ),
  RATE_LIMIT_DEFAULT_WINDOW_S: int(1, 86_400).default(60).describe("default rate-limit window"),
  RATE_LIMIT_EXPECTED_INSTANCES: int(1, 1000)
    .default(3)
    .describe(
      "API instances sharing the limits; while Redis is down each instance allows max / this locally",
    ),
  RATE_LIMIT_REDIS_RETRY_MS: int(10, 60_000)
    .default(1_000)
    .describe(
      "after a Redis failure, limiters skip Redis (fallback at once) this long before retrying",
    ),
};

export const passwordVars = {
  // OWASP lists m=19456 t=2, m=12288 t=3 and m=9216 t=4 (KiB) as equally strong; the middle
  // one holds 7 MiB less per computation, and took less time here (docs/decisions.md).
  ARGON2_MEMORY_KIB: int(8 * 1024, 4 * 1024 * 1024)
    .default(12 * 1024)
    .describe(
      "argon2id memory cost in KiB; OWASP's equivalent pairs: 19456 with t=2, 12288 with t=3, 9216 with t=4",
    ),
  ARGON2_TIME_COST: int(1, 20).default(3).describe("argon2id iterations (see ARGON2_MEMORY_KIB)"),
  ARGON2_PARALLELISM: int(1, 16).default(1).describe("argon2id lanes"),
};

/** How an API instance schedules its argon2 work (logins, registrations). */
export const passwordSchedulingVars = {
  ARGON2_CONCURRENCY: int(1, 64)
    .default(1)
    .describe(
      "argon2 computations one instance runs at once; each holds ARGON2_MEMORY_KIB while it runs",
    ),
  ARGON2_MAX_WAITING: int(0, 10_000)
    .default(64)
    .describe("logins and registrations that may wait for a computation; more are answered 503"),
};

export const adminVars = {
  ADMIN_EMAIL: z
    .email("must be an email address")
    .optional()
    .describe("first admin's email (seed)"),
  ADMIN_PASSWORD: z
    .string()
    .min(12, "must be at least 12 characters")
    .optional()
    .describe("first admin's password (seed); never logged"),
};

export const storageVars = {
  S3_ENDPOINT: url(["http", "https"])
    .optional()
    .describe("S3-compatible endpoint (s3rver, MinIO, R2 ...); unset means AWS S3 for S3_REGION"),
  S3_REGION: z.string().min(1).default("us-east-1").describe("S3 region (signing region)"),
  S3_BUCKET: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      "must be an S3 bucket name (3-63 lower-case letters, digits, dots, dashes)",
    )
    .default("strata")
    .describe("bucket for uploads, thumbnails and imports; created when missing"),
  S3_ACCESS_KEY_ID: z
    .string()
    .min(1)
    .optional()
    .describe("access key; unset uses the SDK's default chain (AWS_* variables, instance role)"),
  S3_SECRET_ACCESS_KEY: z
    .string()
    .min(1)
    .optional()
    .describe("secret key, set together with S3_ACCESS_KEY_ID; never logged"),
  S3_FORCE_PATH_STYLE: bool
    .optional()
    .describe(
      "address buckets as paths (host/bucket/key); defaults to true when S3_ENDPOINT is set",
    ),
};

export const uploadVars = {
  UPLOAD_LIMIT_BYTES: int(1024, 1024 * 1024 * 1024)
    .default(10 * 1024 * 1024)
    .describe(
      "largest image upload (413 above it); nginx's limit for the upload routes is generated from it",
    ),
  IMPORT_LIMIT_BYTES: int(1024, 64 * 1024 * 1024 * 1024)
    .default(512 * 1024 * 1024)
    .describe(
      "largest CSV import file (413 above it); nginx's limit for /api/imports is generated from it",
    ),
};

export const workerVars = {
  WORKER_HOST: z
    .string()
    .min(1)
    .default("127.0.0.1")
    .describe("address of the worker's own /health, /ready and /metrics server"),
  WORKER_PORT: int(0, 65535)
    .default(0)
    .describe(
      "port of the worker's HTTP server; 0 picks a free one (logged), so several workers can share a host",
    ),
  WORKER_CONCURRENCY: int(1, 64)
    .default(2)
    .describe("thumbnail jobs one worker runs at once (CPU-bound: about one per core)"),
  WORKER_IMPORT_CONCURRENCY: int(1, 16)
    .default(1)
    .describe("CSV import jobs one worker runs at once (each holds one database connection)"),
  WORKER_SHUTDOWN_TIMEOUT_MS: ms(100)
    .default(20_000)
    .describe(
      "after SIGTERM, how long active jobs may take to finish; longer ones are handed back (5 s more at most)",
    ),
  WORKER_LOCK_DURATION_MS: ms(1000)
    .default(30_000)
    .describe("a job whose worker stops renewing its lock this long is stalled and retried"),
  WORKER_STALLED_INTERVAL_MS: ms(500)
    .default(30_000)
    .describe("how often a worker looks for stalled jobs (those of a crashed worker)"),
  IMPORT_BATCH_SIZE: int(1, 10_000)
    .default(500)
    .describe("CSV rows upserted per transaction; progress is reported after each batch"),
};
