import type { z } from "zod";
import { parseEnv } from "./load.ts";
import { adminVars, commonVars, databaseVars, passwordVars } from "./variables.ts";

export interface DatabaseConfig {
  url: string;
  poolSize: number;
  poolOverflow: number;
  idleTimeoutMs: number;
  acquireTimeoutMs: number;
  maxLifetimeSeconds: number;
  checkIdleMs: number;
  statementTimeoutMs: number;
  /**
   * DATABASE_URL is PgBouncer in transaction mode (`?pgbouncer=true`): the pool then sends no
   * statement_timeout at connect, which PgBouncer would refuse, and relies on the server-side
   * default (PgBouncer's connect_query or ALTER ROLE ... SET, see docs/deploy.md).
   */
  pgbouncer?: boolean;
}

/** True for a DATABASE_URL marked `?pgbouncer=true` (the flag Prisma uses for the same). */
export function isPgBouncerUrl(url: string): boolean {
  try {
    return new URL(url).searchParams.get("pgbouncer") === "true";
  } catch {
    return false;
  }
}

type DatabaseValues = z.infer<z.ZodObject<typeof databaseVars>>;

export function toDatabaseConfig(v: DatabaseValues): DatabaseConfig {
  return {
    url: v.DATABASE_URL,
    poolSize: v.DB_POOL_SIZE,
    poolOverflow: v.DB_POOL_OVERFLOW,
    idleTimeoutMs: v.DB_POOL_IDLE_TIMEOUT_MS,
    acquireTimeoutMs: v.DB_POOL_ACQUIRE_TIMEOUT_MS,
    maxLifetimeSeconds: v.DB_POOL_MAX_LIFETIME_S,
    checkIdleMs: v.DB_POOL_CHECK_IDLE_MS,
    statementTimeoutMs: v.DB_STATEMENT_TIMEOUT_MS,
    pgbouncer: isPgBouncerUrl(v.DATABASE_URL),
  };
}

export const databaseToolVariables = {
  ...commonVars,
  ...databaseVars,
  ...adminVars,
  ...passwordVars,
};

export interface DatabaseToolConfig {
  env: "development" | "test" | "production";
  db: DatabaseConfig;
  admin: { email: string; password: string } | undefined;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
}

/** Configuration of the migrate and seed commands. */
export function loadDatabaseToolConfig(env: NodeJS.ProcessEnv = process.env): DatabaseToolConfig {
  const v = parseEnv(databaseToolVariables, env, (v, problems) => {
    if ((v.ADMIN_EMAIL === undefined) !== (v.ADMIN_PASSWORD === undefined)) {
      problems.push("ADMIN_EMAIL and ADMIN_PASSWORD must be set together");
    }
  });
  return {
    env: v.NODE_ENV,
    db: toDatabaseConfig(v),
    admin:
      v.ADMIN_EMAIL && v.ADMIN_PASSWORD
        ? { email: v.ADMIN_EMAIL, password: v.ADMIN_PASSWORD }
        : undefined,
    argon2: {
      memoryCost: v.ARGON2_MEMORY_KIB,
      timeCost: v.ARGON2_TIME_COST,
      parallelism: v.ARGON2_PARALLELISM,
    },
  };
}
