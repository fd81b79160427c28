import crypto from "node:crypto";
import type { Redis } from "ioredis";
import {
  PERMIT_LEASE_LUA,
  PERMIT_LEASE_SHA,
  PERMIT_RELEASE_LUA,
  PERMIT_RELEASE_SHA,
  permitCountKey,
} from "./permit-lease-script.ts";
import type { LeaseOptions, PermitStore, Reservation } from "./permit-leases.ts";
import { SLIDING_LOG_LUA, SLIDING_LOG_SHA } from "./sliding-log-script.ts";
import type { Bucket, SlidingLog, SlidingLogResult } from "./sliding-log.ts";

/**
 * The cluster-wide sliding log: one EVALSHA per decision (or per reservation of permits),
 * whatever the number of rules. It throws on any Redis failure (the client fails fast: no
 * offline queue, a command timeout); the rate limiter tells that apart from a refusal, which
 * is a result.
 */
export class RedisSlidingLog implements SlidingLog, PermitStore {
  // Members must be unique or ZADD would overwrite one and under-count: a random prefix per
  // process and a counter (the Redis clock in the score separates equal ids anyway).
  private readonly idPrefix = crypto.randomBytes(9).toString("base64url");
  private sequence = 0;

  constructor(private readonly redis: Redis) {}

  async consume(buckets: Bucket[]): Promise<SlidingLogResult> {
    const values = await this.run(
      SLIDING_LOG_SHA,
      SLIDING_LOG_LUA,
      [...buckets.map((b) => b.key), this.nextId(), ...buckets.flatMap((b) => [b.max, b.windowMs])],
      buckets.length,
    );
    return {
      admitted: values[0] === 1,
      buckets: buckets.map((_, i) => ({
        count: values[1 + 2 * i]!,
        waitMs: Math.ceil(values[2 + 2 * i]! / 1000),
      })),
    };
  }

  async reserve(
    bucket: Bucket,
    need: number,
    batch: number,
    lease: LeaseOptions,
  ): Promise<Reservation> {
    const prefix = this.nextId();
    const [count, granted, spare, wait] = (await this.run(
      PERMIT_LEASE_SHA,
      PERMIT_LEASE_LUA,
      [
        bucket.key,
        permitCountKey(bucket.key),
        prefix,
        bucket.max,
        bucket.windowMs,
        need,
        batch,
        lease.shareDivisor,
        lease.ms,
      ],
      2,
    )) as [number, number, number, number];
    return {
      countBefore: count,
      granted,
      spare,
      spareEntry: `${prefix}s#${spare}`,
      waitMs: Math.ceil(wait / 1000),
    };
  }

  async release(key: string, spareEntry: string, unused: number): Promise<void> {
    if (unused <= 0) return;
    await this.run(
      PERMIT_RELEASE_SHA,
      PERMIT_RELEASE_LUA,
      [key, permitCountKey(key), spareEntry, unused],
      2,
    );
  }

  private nextId(): string {
    return `${this.idPrefix}${(this.sequence++).toString(36)}`;
  }

  private async run(
    sha: string,
    lua: string,
    args: (string | number)[],
    keys: number,
  ): Promise<number[]> {
    try {
      return (await this.redis.evalsha(sha, keys, ...args)) as number[];
    } catch (error) {
      // After a Redis restart (or on a new server) the script cache is empty.
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return (await this.redis.eval(lua, keys, ...args)) as number[];
    }
  }
}
