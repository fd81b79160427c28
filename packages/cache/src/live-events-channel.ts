import type { Redis } from "ioredis";

/**
 * The Redis channel on which any process announces which cache tags a write changed; every API
 * instance forwards it to its open server-sent event streams.
 */
export const LIVE_EVENTS_CHANNEL = "events:catalogue";

export async function publishLiveInvalidation(redis: Redis, tags: string[]): Promise<void> {
  await redis.publish(LIVE_EVENTS_CHANNEL, JSON.stringify({ tags }));
}
