import type { Bucket, SlidingLogResult } from "./sliding-log.ts";

/** How a policy leases permits (policies.ts sets them for the default policy only). */
export interface LeaseOptions {
  /** Most permits one reservation takes. */
  maxBatch: number;
  /** The lease length L: spare permits may be used for this long after the reservation. */
  ms: number;
  /**
   * A reservation takes at most the room left divided by this (2 × the expected instances),
   * so that the instances' leases together hold back at most about half of what is left and
   * the batch falls to 1 near the limit: one Redis call per request, as without leases.
   */
  shareDivisor: number;
}

/** What one reservation call in Redis returned. */
export interface Reservation {
  /** Entries in the window before the call. */
  countBefore: number;
  /** How many of the waiting requests were admitted (stamped now). */
  granted: number;
  /** Members of the spare permits, stamped at the lease's end. */
  spare: string[];
  /** Until the oldest entry leaves the window. */
  waitMs: number;
}

/** The Redis side of leases (RedisSlidingLog). */
export interface PermitStore {
  reserve(bucket: Bucket, need: number, lease: LeaseOptions): Promise<Reservation>;
  /** Gives spare permits back (removes their entries). */
  release(key: string, members: string[]): Promise<void>;
}

interface Lease {
  bucket: Bucket;
  /** Members not yet used. */
  spare: string[];
  /** Local monotonic time the lease ends, never later than its end in Redis (see below). */
  endsAt: number;
  /** The room left at the reservation, minus what this instance admitted since. */
  remaining: number;
  waitMs: number;
  reservedAt: number;
  /** Ends the lease (and gives unused permits back) when L is over. */
  timer?: NodeJS.Timeout;
}

interface Waiter {
  resolve(result: SlidingLogResult): void;
  reject(error: unknown): void;
}

/**
 * Permit leases: one Redis call reserves a small batch of permits of a key, and the
 * following requests of that key on this instance are admitted from it without Redis until
 * the batch is used or the lease (L) ends. Unused permits are given back when it ends.
 *
 * Why this stays exact (never more than `max` admitted in any rolling window, over all
 * instances): a reserved permit is in the sorted set from its reservation at Redis time r,
 * stamped r + L, so the script counts it in every decision until r + L + W. It is used
 * locally at some t ≤ r + L: the lease's local end is the local time the call was *sent*
 * plus L, and Redis ran the script after that. So every admission at t is represented by an
 * entry present from r ≤ t until at least t + W. Suppose max + 1 admissions fell within one
 * window, and take the reservation (or exact call) among theirs that Redis ran last, at r*,
 * for k of them: the other max + 1 − k were reserved no later and are still counted at r*
 * (every admission is within W of every other), so that call saw count ≥ max + 1 − k and
 * could grant at most max − count ≤ k − 1 permits: a contradiction. Giving permits back only
 * removes entries no admission will use; failing to give them back only under-admits.
 * The cost: a counted request may stay in the window up to L longer than W (Retry-After may
 * grow by up to L), and permits an instance does not use are withheld from the others until
 * its lease ends.
 *
 * Concurrent requests of a key share one reservation in flight: those waiting when it is
 * sent are its `need` (admitted at once, stamped now, if there is room); later arrivals take
 * spare permits of its lease, or the next reservation. If Redis refuses, everyone waiting is
 * refused with that answer: the key was full when Redis ran the call, at most a round trip
 * earlier (refusing on a slightly old count can only under-admit).
 *
 * Memory: a lease lives for L at most (its timer ends it), and at most `maxLeases` are held.
 */
export class PermitLeases {
  /** By key; insertion order is reservation order, for the bound. */
  private readonly leases = new Map<string, Lease>();
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(
    private readonly store: PermitStore,
    /** Leases held at most; past it the oldest is given back (a client flood stays bounded). */
    private readonly maxLeases = 10_000,
    /** Milliseconds from a monotonic clock. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A permit from a lease this instance holds, or undefined: no Redis, never waits. */
  take(bucket: Bucket): SlidingLogResult | undefined {
    const lease = this.leases.get(bucket.key);
    if (!lease) return undefined;
    const now = this.now();
    if (now >= lease.endsAt || lease.spare.length === 0) {
      void this.end(lease);
      return undefined;
    }
    lease.spare.pop();
    lease.remaining -= 1;
    const result = admitted(bucket, lease.remaining, lease.waitMs - (now - lease.reservedAt));
    if (lease.spare.length === 0) void this.end(lease);
    return result;
  }

  /** A permit from a lease, else from the key's reservation in flight, else a new one. */
  acquire(bucket: Bucket, options: LeaseOptions): Promise<SlidingLogResult> {
    const held = this.take(bucket);
    if (held) return Promise.resolve(held);
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(bucket.key);
      if (queue) {
        queue.push({ resolve, reject });
        return;
      }
      this.waiting.set(bucket.key, [{ resolve, reject }]);
      void this.reserveForWaiting(bucket, options);
    });
  }

  /** Gives every lease back now (on shutdown). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.leases.values()].map((lease) => this.end(lease)));
  }

  /** Leases held now (for tests and the memory bound). */
  get size(): number {
    return this.leases.size;
  }

  /** Runs reservations until no request of the key waits; the key's single flight. */
  private async reserveForWaiting(bucket: Bucket, options: LeaseOptions): Promise<void> {
    const queue = this.waiting.get(bucket.key)!;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0);
        const sentAt = this.now();
        let reservation: Reservation;
        try {
          reservation = await this.store.reserve(bucket, batch.length, options);
        } catch (error) {
          for (const waiter of [...batch, ...queue.splice(0)]) waiter.reject(error);
          return;
        }
        const { countBefore, granted, spare, waitMs } = reservation;
        batch.slice(0, granted).forEach((waiter, i) => {
          waiter.resolve(admitted(bucket, bucket.max - countBefore - i - 1, waitMs));
        });
        if (granted < batch.length) {
          const refusal = refused(countBefore + granted, waitMs);
          for (const waiter of [...batch.slice(granted), ...queue.splice(0)]) {
            waiter.resolve(refusal);
          }
          return;
        }
        if (spare.length > 0) {
          this.hold({
            bucket,
            spare,
            endsAt: sentAt + options.ms,
            remaining: bucket.max - countBefore - granted,
            waitMs,
            reservedAt: sentAt,
          });
        }
        // Arrivals during the call: from the new lease while it lasts, the rest go round again.
        while (queue.length > 0) {
          const result = this.take(bucket);
          if (!result) break;
          queue.shift()!.resolve(result);
        }
      }
    } finally {
      this.waiting.delete(bucket.key);
    }
  }

  private hold(lease: Lease): void {
    const previous = this.leases.get(lease.bucket.key);
    if (previous) void this.end(previous);
    lease.timer = setTimeout(() => void this.end(lease), Math.max(0, lease.endsAt - this.now()));
    lease.timer.unref();
    this.leases.set(lease.bucket.key, lease);
    while (this.leases.size > this.maxLeases) {
      void this.end(this.leases.values().next().value!);
    }
  }

  /** Ends a lease and gives its unused permits back: best effort, failures only under-admit. */
  private end(lease: Lease): Promise<void> {
    clearTimeout(lease.timer);
    if (this.leases.get(lease.bucket.key) === lease) this.leases.delete(lease.bucket.key);
    const unused = lease.spare.splice(0);
    if (unused.length === 0) return Promise.resolve();
    return this.store.release(lease.bucket.key, unused).catch(() => undefined);
  }
}

function admitted(bucket: Bucket, remaining: number, waitMs: number): SlidingLogResult {
  return {
    admitted: true,
    buckets: [{ count: bucket.max - remaining, waitMs: Math.max(0, Math.ceil(waitMs)) }],
  };
}

function refused(count: number, waitMs: number): SlidingLogResult {
  return { admitted: false, buckets: [{ count, waitMs }] };
}
