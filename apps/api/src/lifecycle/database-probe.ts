import pg from "pg";
import { isPgBouncerUrl } from "@strata/config";

/**
 * A one-connection pool used only by /ready, so the readiness check never queues behind
 * requests in the main pool (an exhausted pool is busy, not down).
 */
export function createDatabaseProbe(url: string, timeoutMs: number) {
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    connectionTimeoutMillis: timeoutMs,
    idleTimeoutMillis: 60_000,
    // PgBouncer refuses this startup parameter; the caller's own timer bounds the check anyway.
    ...(isPgBouncerUrl(url) ? {} : { statement_timeout: timeoutMs }),
    application_name: "strata-api:readiness",
  });
  pool.on("error", () => {
    /* a dropped probe connection is replaced on the next check */
  });
  return {
    check: () => pool.query("SELECT 1").then(() => undefined),
    close: () => pool.end(),
  };
}
