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

/**
 * Ends a client without waiting for a Redis that is not there: QUIT (its pending replies
 * first) while connected, for at most `boundMs`, then the socket is dropped. A QUIT sent
 * while the client is still connecting waits in the offline queue (subscribers keep one)
 * until Redis comes back, which held an instance's shutdown for as long as Redis was down.
 */
export async function closeRedis(client: Redis, boundMs = 1_000): Promise<void> {
  if (client.status === "ready") {
    await Promise.race([
      client.quit().catch(() => {}),
      new Promise((resolve) => setTimeout(resolve, boundMs).unref()),
    ]);
  }
  client.disconnect();
}
