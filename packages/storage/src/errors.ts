/** The object store could not be reached or answered with a server error: retry later (503). */
export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`object storage unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "StorageUnavailableError";
  }
}

/** No object under that key. */
export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no object ${key}`);
    this.name = "ObjectNotFoundError";
  }
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
]);

/**
 * True for failures that say nothing about the request and everything about the store: a
 * refused or dropped connection, a timeout, a 5xx or a throttling answer.
 */
export function isStorageOutage(error: unknown): boolean {
  if (error instanceof StorageUnavailableError) return true;
  const e = error as {
    code?: string;
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    cause?: unknown;
    errors?: unknown[];
  } | null;
  if (!e || typeof e !== "object") return false;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (
    e.name &&
    ["TimeoutError", "RequestTimeout", "SlowDown", "ServiceUnavailable"].includes(e.name)
  )
    return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  // AggregateError (happy eyeballs) and wrapped causes.
  if (Array.isArray(e.errors) && e.errors.some(isStorageOutage)) return true;
  return e.cause !== undefined && e.cause !== error && isStorageOutage(e.cause);
}

/** Rethrows outages as StorageUnavailableError, everything else as it is. */
export function classifyStorageError(error: unknown): Error {
  if (error instanceof StorageUnavailableError) return error;
  return isStorageOutage(error) ? new StorageUnavailableError(error) : (error as Error);
}
