import type { Redis } from "ioredis";
import { z } from "zod";
import { withStateRedis } from "../redis-guard.ts";
import { parseJsonOrUndefined } from "../safe-json.ts";

const StoredResponse = z.object({
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});

const IdempotencyRecord = z.discriminatedUnion("state", [
  // `owner`: the claiming request's own random id, so only it renews the claim.
  z.object({ state: z.literal("pending"), fingerprint: z.string(), owner: z.string().optional() }),
  z.object({ state: z.literal("done"), fingerprint: z.string(), response: StoredResponse }),
]);

/** A response kept for replay: status, the headers worth repeating, the serialised body. */
export type StoredResponse = z.infer<typeof StoredResponse>;
export type IdempotencyRecord = z.infer<typeof IdempotencyRecord>;

// GET-or-SET in one step: two racing requests with one key cannot both become the owner.
const RESERVE = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

// Extends a pending claim only while it is still this request's: compare, then expire.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

// Deletes a pending claim only while it is still this request's: a claim that lapsed may
// since have been taken by a retry, whose claim a plain DEL would drop (and let a third run).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

// Stores the response over this request's own claim, or where no record is left (its claim
// lapsed and nobody took the key): never over another request's claim or response.
const COMPLETE = `
local existing = redis.call('GET', KEYS[1])
if existing == false or existing == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0`;

/**
 * Idempotency records in the state Redis (noeviction: an evicted record would let a retry
 * create a second product). A record is `pending` while its first request runs, with a time
 * to live of `pendingMs` that the request's instance renews while it runs (`renew`), so
 * a crashed instance blocks the key for seconds, not for a day; then `done` with the
 * response, kept for `retentionSeconds`.
 */
export class IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly pendingMs: number,
    private readonly retentionSeconds: number,
  ) {}

  /**
   * Claims `key` for the request `owner` (a random id of its own), or returns the record
   * another request left there.
   */
  async reserve(
    key: string,
    fingerprint: string,
    owner: string,
  ): Promise<IdempotencyRecord | "reserved"> {
    const existing = await withStateRedis(
      "idempotency records",
      () =>
        this.redis.eval(
          RESERVE,
          1,
          key,
          pendingValue(fingerprint, owner),
          this.pendingMs,
        ) as Promise<string | null>,
    );
    if (existing === null) return "reserved";
    const parsed = IdempotencyRecord.safeParse(parseJsonOrUndefined(existing));
    // An unreadable record (another version's format) is treated as in flight, never replayed.
    return parsed.success ? parsed.data : { state: "pending", fingerprint };
  }

  /**
   * Gives `owner`'s pending claim another `pendingMs`; false when the claim is no longer
   * its own (completed, released, or lapsed and taken by another request).
   */
  async renew(key: string, fingerprint: string, owner: string): Promise<boolean> {
    const renewed = await withStateRedis(
      "idempotency records",
      () =>
        this.redis.eval(
          RENEW,
          1,
          key,
          pendingValue(fingerprint, owner),
          this.pendingMs,
        ) as Promise<number>,
    );
    return renewed === 1;
  }

  /**
   * Stores `owner`'s finished response for replay, unless its claim lapsed and the key now
   * holds another request's claim or response (false then: that record stays as it is).
   */
  async complete(
    key: string,
    fingerprint: string,
    owner: string,
    response: StoredResponse,
  ): Promise<boolean> {
    const record: IdempotencyRecord = { state: "done", fingerprint, response };
    const stored = await withStateRedis(
      "idempotency records",
      () =>
        this.redis.eval(
          COMPLETE,
          1,
          key,
          pendingValue(fingerprint, owner),
          JSON.stringify(record),
          this.retentionSeconds,
        ) as Promise<number>,
    );
    return stored === 1;
  }

  /**
   * Forgets `owner`'s claim after its request failed on our side, so that a retry runs again;
   * false when the claim is no longer its own (another request's record is left alone).
   */
  async release(key: string, fingerprint: string, owner: string): Promise<boolean> {
    const released = await withStateRedis(
      "idempotency records",
      () => this.redis.eval(RELEASE, 1, key, pendingValue(fingerprint, owner)) as Promise<number>,
    );
    return released === 1;
  }
}

function pendingValue(fingerprint: string, owner: string): string {
  const pending: IdempotencyRecord = { state: "pending", fingerprint, owner };
  return JSON.stringify(pending);
}
