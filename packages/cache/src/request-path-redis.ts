import { Redis } from "ioredis";

/**
 * A Redis client for the request path: no offline queue and a command timeout, so an outage or
 * a frozen server makes commands fail fast instead of every request waiting behind a reconnect
 * (ioredis' default). It reconnects forever in the background; connect it with `.connect()`.
 */
export function requestPathRedis(url: string, commandTimeoutMs: number, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(1000, commandTimeoutMs * 2),
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: true,
  });
}
