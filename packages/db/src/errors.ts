/** The pool had no free connection within the configured wait: answer 503, retry soon. */
export class PoolExhaustedError extends Error {
  readonly code = "POOL_EXHAUSTED";
  constructor(readonly waitedMs: number) {
    super(`no database connection became free within ${waitedMs} ms`);
    this.name = "PoolExhaustedError";
  }
}

/** PostgreSQL could not be reached (refused, reset, shutting down). */
export class DatabaseUnavailableError extends Error {
  readonly code = "DATABASE_UNAVAILABLE";
  constructor(cause: unknown) {
    super(`database unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "DatabaseUnavailableError";
  }
}

// SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown,
// terminated backend), plus the socket errors node reports before PostgreSQL says anything.
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);

/** True when `error` means the server is unreachable rather than that a query was wrong. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (
    e.code &&
    (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith("08") || e.code.startsWith("57P"))
  ) {
    return true;
  }
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    e.message ?? "",
  );
}

// A query PostgreSQL gave up on, or could not run now, that may well succeed when tried again:
// 57014 a statement timeout (also a cancel), 55P03 a lock not available in time, 40001 a
// serialization failure, 40P01 a deadlock victim, class 53 insufficient resources (out of
// connections, memory or disk).
const TRANSIENT_CODES = new Set(["57014", "55P03", "40001", "40P01"]);

/** True when `error` is a query failure that a retry may not meet (answer 503, not 500). */
export function isTransientQueryError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && (TRANSIENT_CODES.has(code) || code.startsWith("53"));
}
