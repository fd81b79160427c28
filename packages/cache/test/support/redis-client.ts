import { Redis } from "ioredis";

/** A client configured as the API's request path configures its own: fail fast, no queue. */
export function requestPathClient(url: string, commandTimeoutMs: number, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: true,
  });
}
