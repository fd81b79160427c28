import crypto from "node:crypto";
import type { Redis } from "ioredis";
import { SLIDING_LOG_LUA, SLIDING_LOG_SHA } from "./sliding-log-script.ts";
import type { Bucket, SlidingLog, SlidingLogResult } from "./sliding-log.ts";

/**
 * The cluster-wide sliding log: one EVALSHA per request, whatever the number of rules. It
 * throws on any Redis failure (the client fails fast: no offline queue, a command timeout);
 * the rate limiter tells that apart from a refusal, which is a result.
 */
export class RedisSlidingLog implements SlidingLog {
  // Members must be unique or ZADD would overwrite one and under-count: a random prefix per
  // process and a counter (the Redis clock in the score separates equal ids anyway).
  private readonly idPrefix = crypto.randomBytes(9).toString("base64url");
  private sequence = 0;

  constructor(private readonly redis: Redis) {}

  async consume(buckets: Bucket[]): Promise<SlidingLogResult> {
    const id = `${this.idPrefix}${(this.sequence++).toString(36)}`;
    const args: (string | number)[] = [
      ...buckets.map((b) => b.key),
      id,
      ...buckets.flatMap((b) => [b.max, b.windowMs]),
    ];
    let reply: unknown;
    try {
      reply = await this.redis.evalsha(SLIDING_LOG_SHA, buckets.length, ...args);
    } catch (error) {
      // After a Redis restart (or on a new server) the script cache is empty.
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      reply = await this.redis.eval(SLIDING_LOG_LUA, buckets.length, ...args);
    }
    const values = reply as number[];
    return {
      admitted: values[0] === 1,
      buckets: buckets.map((_, i) => ({
        count: values[1 + 2 * i]!,
        waitMs: Math.ceil(values[2 + 2 * i]! / 1000),
      })),
    };
  }
}
