import type { Bucket, SlidingLogResult } from "./sliding-log.ts";

/** How a policy leases permits (policies.ts sets them for the default policy only). */
export interface LeaseOptions {
  /** Permits a key's first reservation asks for, and the least any later one asks for. */
  firstBatch: number;
  /** Most permits one reservation asks for (a busy key's batches grow up to it). */
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
  /** Spare permits, stamped at the lease's end. */
  spare: number;
  /** The sorted-set member that stands for them all. */
  spareEntry: string;
  /** Until the oldest entry leaves the window. */
  waitMs: number;
}

/** The Redis side of leases (RedisSlidingLog). */
export interface PermitStore {
  /** `need` waiting requests admitted now, up to `batch` permits in all (fewer near the limit). */
  reserve(bucket: Bucket, need: number, batch: number, lease: LeaseOptions): Promise<Reservation>;
  /** Gives `unused` permits of a reservation's spare entry back. */
  release(key: string, spareEntry: string, unused: number): Promise<void>;
}

/** The spare permits of one reservation, usable until its end. */
interface Batch {
  /** Its permits not yet used. */
  spare: number;
  /** Spare permits it started with. */
  size: number;
  /** The sorted-set member that stands for its permits. */
  entry: string;
  reservedAt: number;
  /** Local monotonic time the batch ends, never later than its end in Redis (see below). */
  endsAt: number;
  /** Ends the batch (and gives unused permits back) when L is over. */
  timer?: NodeJS.Timeout;
}

interface Lease {
  bucket: Bucket;
  options: LeaseOptions;
  /** Oldest first: permits are used from the batch that ends soonest. At most two. */
  batches: Batch[];
  /** The room left at the last reservation, minus what this instance admitted since. */
  remaining: number;
  waitMs: number;
  reservedAt: number;
  /** The last reservation got the whole batch it asked for: the key is far from its limit. */
  full: boolean;
  /** What the next reservation asks for: doubled while batches go fast, halved when unused. */
  nextBatch: number;
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
 * locally at some t ≤ r + L: the batch's local end is the local time the call was *sent*
 * plus L, and Redis ran the script after that. So every admission at t is represented by an
 * entry present from r ≤ t until at least t + W. Suppose max + 1 admissions fell within one
 * window, and take the reservation (or exact call) among theirs that Redis ran last, at r*,
 * for k of them: the other max + 1 − k were reserved no later and are still counted at r*
 * (every admission is within W of every other), so that call saw count ≥ max + 1 − k and
 * could grant at most max − count ≤ k − 1 permits: a contradiction. Giving permits back only
 * removes entries no admission will use; failing to give them back only under-admits.
 * Nothing in this argument needs one batch at a time, so a key may hold two.
 * The cost: a counted request may stay in the window up to L longer than W (Retry-After may
 * grow by up to L), and permits an instance does not use are withheld from the others until
 * its lease ends.
 *
 * Busy keys: when a whole batch (the key far from its limit) is half used, the next one is
 * reserved in the background, so the key's requests do not stop to wait for Redis each time
 * a batch runs out; and a batch half used within a quarter of L asks for twice as many next
 * time (up to maxBatch), one that ends with permits unused for half as many (down to
 * firstBatch). Measured on a read at 30,000 requests/s from one client: the calls and the
 * waits, not the decisions, were most of the limiter's cost (docs/performance.md). Near the
 * limit the script shrinks batches (room / shareDivisor), and they are never refilled ahead.
 *
 * Concurrent requests of a key share one reservation in flight: those waiting when it is
 * sent are its `need` (admitted at once, stamped now, if there is room); later arrivals take
 * spare permits of its lease, or the next reservation. If Redis refuses, everyone waiting is
 * refused with that answer: the key was full when Redis ran the call, at most a round trip
 * earlier (refusing on a slightly old count can only under-admit).
 *
 * Memory: a batch lives for L at most (its timer ends it), and at most `maxLeases` keys are
 * held.
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
    let batch = lease.batches[0];
    while (batch && (now >= batch.endsAt || batch.spare === 0)) {
      void this.endBatch(lease, batch);
      batch = lease.batches[0];
    }
    if (!batch) return undefined;
    batch.spare -= 1;
    lease.remaining -= 1;
    const result = admitted(bucket, lease.remaining, lease.waitMs - (now - lease.reservedAt));
    if (
      lease.full &&
      lease.batches.length <= 1 &&
      batch.spare <= batch.size / 2 &&
      !this.waiting.has(bucket.key)
    ) {
      if (now - batch.reservedAt < lease.options.ms / 4) {
        lease.nextBatch = Math.min(lease.options.maxBatch, 2 * batch.size);
      }
      this.waiting.set(bucket.key, []);
      void this.reserveForWaiting(bucket, lease.options); // reads nextBatch before it awaits
    }
    if (batch.spare === 0) void this.endBatch(lease, batch);
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

  /**
   * Runs reservations until no request of the key waits; the key's single flight. Its queue
   * is already in `waiting`: with waiters, or empty for a refill ahead (one call, need 0).
   */
  private async reserveForWaiting(bucket: Bucket, options: LeaseOptions): Promise<void> {
    const queue = this.waiting.get(bucket.key)!;
    try {
      do {
        const batch = queue.splice(0);
        const sentAt = this.now();
        const size = this.leases.get(bucket.key)?.nextBatch ?? options.firstBatch;
        let reservation: Reservation;
        try {
          reservation = await this.store.reserve(bucket, batch.length, size, options);
        } catch (error) {
          // A refill ahead has no waiter of its own: the next reservation meets the failure.
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
        if (spare > 0) {
          this.hold(bucket, options, size, reservation, sentAt);
        }
        // Arrivals during the call: from the new lease while it lasts, the rest go round again.
        while (queue.length > 0) {
          const result = this.take(bucket);
          if (!result) break;
          queue.shift()!.resolve(result);
        }
      } while (queue.length > 0);
    } finally {
      this.waiting.delete(bucket.key);
    }
  }

  private hold(
    bucket: Bucket,
    options: LeaseOptions,
    asked: number,
    reservation: Reservation,
    sentAt: number,
  ): void {
    const { countBefore, granted, spare, spareEntry, waitMs } = reservation;
    const batch: Batch = {
      spare,
      size: spare,
      entry: spareEntry,
      reservedAt: sentAt,
      endsAt: sentAt + options.ms,
    };
    let lease = this.leases.get(bucket.key);
    // The older batch's unused permits were counted in countBefore, yet are this instance's.
    const unused = lease?.batches.reduce((sum, b) => sum + b.spare, 0) ?? 0;
    const state = {
      remaining: bucket.max - countBefore - granted + unused,
      waitMs,
      reservedAt: sentAt,
      full: granted + spare >= asked,
    };
    if (lease) Object.assign(lease, state);
    else {
      lease = { bucket, options, batches: [], nextBatch: asked, ...state };
      this.leases.set(bucket.key, lease);
    }
    const owner = lease;
    batch.timer = setTimeout(
      () => void this.endBatch(owner, batch),
      Math.max(0, batch.endsAt - this.now()),
    );
    batch.timer.unref();
    lease.batches.push(batch);
    while (this.leases.size > this.maxLeases) {
      void this.end(this.leases.values().next().value!);
    }
  }

  /** Ends every batch of a lease. */
  private end(lease: Lease): Promise<void> {
    return Promise.all([...lease.batches].map((batch) => this.endBatch(lease, batch))).then(
      () => undefined,
    );
  }

  /**
   * Ends a batch and gives its unused permits back: best effort, failures only under-admit.
   * The lease goes with its last batch.
   */
  private endBatch(lease: Lease, batch: Batch): Promise<void> {
    clearTimeout(batch.timer);
    const at = lease.batches.indexOf(batch);
    if (at >= 0) lease.batches.splice(at, 1);
    if (lease.batches.length === 0 && this.leases.get(lease.bucket.key) === lease) {
      this.leases.delete(lease.bucket.key);
    }
    const unused = batch.spare;
    batch.spare = 0;
    if (unused === 0) return Promise.resolve();
    lease.nextBatch = Math.max(lease.options.firstBatch, Math.floor(lease.nextBatch / 2));
    return this.store.release(lease.bucket.key, batch.entry, unused).catch(() => undefined);
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
