import { Redis } from "ioredis";

/** Every queue key starts with this (BullMQ's `prefix`): strata's keys are easy to find. */
export const QUEUE_PREFIX = "strata";

/** The state Redis may evict keys: queues (and sessions) there would silently lose data. */
export class EvictingRedisError extends Error {
  constructor(readonly policy: string) {
    super(
      `the state Redis has maxmemory-policy "${policy}"; queues need "noeviction" (a queue on an evicting server loses jobs silently)`,
    );
    this.name = "EvictingRedisError";
  }
}

/**
 * Refuses a Redis whose `maxmemory-policy` is not `noeviction`. A managed service that
 * disables CONFIG cannot be checked: that is reported ("unverifiable") for the caller to log.
 */
export async function assertNoEviction(client: Redis): Promise<"ok" | "unverifiable"> {
  let reply: unknown;
  try {
    reply = await client.config("GET", "maxmemory-policy");
  } catch (error) {
    if (/unknown command|NOPERM/i.test((error as Error).message)) return "unverifiable";
    throw error;
  }
  const policy = (reply as string[])[1] ?? "";
  if (policy !== "noeviction") throw new EvictingRedisError(policy);
  return "ok";
}

/**
 * A connection for BullMQ workers: BullMQ requires `maxRetriesPerRequest: null` (a blocking
 * fetch must wait through a reconnect rather than fail the worker's loop), and it duplicates
 * this client for its blocking connection. Not for the request path: commands wait while
 * Redis is away.
 */
export function createWorkerConnection(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: true,
  });
}
