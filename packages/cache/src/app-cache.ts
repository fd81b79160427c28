import crypto from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Redis } from "ioredis";
import type { PublicPolicy } from "@strata/cache-policy";
import { CircuitBreaker } from "./circuit-breaker.ts";
import { closeRedis } from "./request-path-redis.ts";
import {
  expiresAt,
  makeEntry,
  tokensMatch,
  type CacheEntry,
  type LocalEntry,
  type Loaded,
  type StoredEntry,
} from "./entry.ts";
import { READ_ENTRY, RELEASE_LOCK } from "./redis-scripts.ts";
import type { CacheMetrics } from "./cache-metrics.ts";

export type CacheSource = "L1" | "L2" | "MISS" | "STALE";

export interface CacheRequest {
  /** Canonical key of the response (route + normalised parameters). */
  key: string;
  tags: string[];
  policy: PublicPolicy;
  /** Reads the data from PostgreSQL and serialises the body (a string, or with an ETag prefix). */
  load: () => Promise<string | Loaded>;
}

export interface CacheResult {
  entry: CacheEntry;
  source: CacheSource;
}

export interface AppCacheOptions {
  /** Request-path client of the cache Redis (fails fast). */
  redis: Redis;
  /** A dedicated connection for the invalidation channel. */
  subscriber: Redis;
  l1MaxEntries: number;
  /** Bound on the bodies' size: entries alone would let 10,000 list pages take 140 MB. */
  l1MaxBytes?: number;
  /** Upper bound on how long L1 trusts an entry without hearing from Redis. */
  l1MaxTtlMs: number;
  /** How long one instance may hold the cluster-wide fill lock for a key. */
  fillLockMs: number;
  /** How long Redis is skipped after a failure. */
  breakerMs: number;
  metrics: CacheMetrics;
  logger: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** How long `invalidate` waits for every subscribed instance to confirm it dropped L1. */
  ackTimeoutMs: number;
}

const PREFIX = "ac:";
const CHANNEL = `${PREFIX}invalidate`;
const ACK_CHANNEL = `${PREFIX}invalidated`;
const entryKey = (key: string) => `${PREFIX}e:${key}`;
const tagKey = (tag: string) => `${PREFIX}t:${tag}`;
const lockKey = (key: string) => `${PREFIX}l:${key}`;
const newToken = () => crypto.randomBytes(9).toString("base64url");
const isLocal = (entry: CacheEntry): entry is LocalEntry => typeof entry.body !== "string";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The entry of an L2 read if it is valid under the current tag versions and still fresh. */
const freshEntry = (read: {
  entry: StoredEntry | undefined;
  tokens: Record<string, string>;
}): StoredEntry | undefined =>
  read.entry && tokensMatch(read.entry, read.tokens) && Date.now() < read.entry.freshUntil
    ? read.entry
    : undefined;

/**
 * The application cache tier: L1 in process, L2 in the cache Redis, invalidated by tag on
 * every instance. Concurrent misses for one key make one PostgreSQL query across the whole
 * cluster (an in-process single flight, then a Redis fill lock). Stale entries are served
 * while one refresh runs (stale-while-revalidate) and when PostgreSQL fails
 * (stale-if-error). When Redis fails, both tiers are bypassed — L1 cannot be trusted without
 * the invalidation channel — and requests go to PostgreSQL until Redis is back.
 */
export class AppCache {
  readonly #o: AppCacheOptions;
  readonly #l1: LRUCache<string, LocalEntry>;
  /**
   * How often (1, or 2 for "more than once") this instance recently read each key past L1,
   * like TinyLFU's "doorkeeper": a key enters L1 from its second such read, so keys read only
   * once (a crawler walking deep pages, a miss storm) neither push the hot set out of L1 nor
   * fill its memory. A hot key pays one extra L2 read, once: it stays known while it is read.
   */
  readonly #reads: LRUCache<string, 1 | 2>;
  /** Tag versions this instance knows; the invalidation channel always wins over reads. */
  readonly #tokens = new Map<string, string>();
  readonly #inFlight = new Map<string, Promise<CacheResult>>();
  readonly #refreshing = new Set<string>();
  readonly #breaker: CircuitBreaker;
  readonly #lockOwner = newToken();
  #subscriberHealthy = false;
  readonly #acks = new Map<string, () => void>();

  constructor(options: AppCacheOptions) {
    this.#o = options;
    this.#l1 = new LRUCache({
      max: options.l1MaxEntries,
      ...(options.l1MaxBytes
        ? {
            maxSize: options.l1MaxBytes,
            // The body's bytes; the rest of an entry is small.
            sizeCalculation: (entry: LocalEntry, key: string) =>
              entry.body.length + key.length + 256,
          }
        : {}),
    });
    this.#reads = new LRUCache({ max: Math.max(1, options.l1MaxEntries) });
    this.#breaker = new CircuitBreaker(options.breakerMs, (open) => {
      // Whatever happened while Redis was away, L1 may have missed it.
      this.#flushLocal();
      options.logger.warn(
        { open },
        open ? "cache Redis failing: bypassing the app cache" : "cache Redis back",
      );
    });
  }

  /** Subscribes to the invalidation channel; a reconnect flushes L1 (messages may be lost). */
  async start(): Promise<void> {
    const sub = this.#o.subscriber;
    sub.on("message", (channel: string, message: string) => {
      if (channel === CHANNEL) this.#onInvalidation(message);
      else this.#onAck(message);
    });
    sub.on("ready", () => {
      if (!this.#subscriberHealthy) this.#flushLocal();
      this.#subscriberHealthy = true;
    });
    sub.on("close", () => {
      this.#subscriberHealthy = false;
      this.#flushLocal();
    });
    const subscribed = sub.subscribe(CHANNEL, ACK_CHANNEL).then(
      () => {
        this.#subscriberHealthy = true;
      },
      (error: Error) =>
        this.#o.logger.warn({ err: error.message }, "cache invalidation channel unavailable"),
    );
    // With Redis away at start-up the SUBSCRIBE waits in the client's offline queue until it
    // connects (the subscriber retries for ever): waiting for it here held the process's
    // start-up for as long as Redis was down. The cache is bypassed until then.
    if (sub.status === "ready") await subscribed;
  }

  /** Returns the cached response for `request`, loading it from PostgreSQL when needed. */
  async get(request: CacheRequest): Promise<CacheResult> {
    const now = Date.now();
    if (this.#usable()) {
      const local = this.#l1.get(request.key);
      if (local && now < local.freshUntil && this.#l1Valid(local)) {
        this.#o.metrics.event("l1", "hit");
        return { entry: local, source: "L1" };
      }
    }
    this.#reads.set(request.key, this.#reads.has(request.key) ? 2 : 1);
    const pending = this.#inFlight.get(request.key);
    if (pending) {
      this.#o.metrics.event("l1", "coalesced");
      return pending;
    }
    const promise = this.#lookup(request).finally(() => this.#inFlight.delete(request.key));
    this.#inFlight.set(request.key, promise);
    return promise;
  }

  /**
   * Invalidates every entry carrying any of `tags`, on every instance: new tag versions in
   * Redis (so no reader, however slow, can store an old value under the current version) and
   * a message that makes every instance drop its L1 copies. It returns once every subscribed
   * instance has confirmed (or after `ackTimeoutMs`), so the writer's next request, whichever
   * instance it reaches, cannot be answered from an old L1 copy.
   */
  async invalidate(tags: string[]): Promise<void> {
    const id = newToken();
    const tokens = Object.fromEntries(tags.map((tag) => [tag, newToken()]));
    this.#applyTokens(tokens);
    // Listen for confirmations before publishing: fast instances answer before exec returns.
    const confirmed = this.#collectAcks(id);
    const multi = this.#o.redis.multi();
    for (const [tag, token] of Object.entries(tokens)) multi.set(tagKey(tag), token);
    multi.publish(CHANNEL, JSON.stringify({ id, tokens }));
    let results: [Error | null, unknown][] | null;
    try {
      results = await multi.exec();
    } catch (error) {
      confirmed.cancel();
      throw error;
    }
    const failed = results?.find(([error]) => error);
    if (!results || failed) {
      confirmed.cancel();
      throw failed?.[0] ?? new Error("cache invalidation was not applied");
    }
    await confirmed.expect(Number(results.at(-1)?.[1] ?? 0));
  }

  #collectAcks(id: string): { expect(receivers: number): Promise<void>; cancel(): void } {
    let received = 0;
    let expected = Number.POSITIVE_INFINITY;
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    const timer = setTimeout(() => {
      this.#o.logger.warn(
        { id, received, expected },
        "not every instance confirmed a cache invalidation in time",
      );
      finish();
    }, this.#o.ackTimeoutMs);
    const settle = () => {
      if (received >= expected) finish();
    };
    this.#acks.set(id, () => {
      received++;
      settle();
    });
    void done.then(() => {
      clearTimeout(timer);
      this.#acks.delete(id);
    });
    return {
      expect(receivers) {
        expected = receivers;
        settle();
        return done;
      },
      cancel: () => finish(),
    };
  }

  #onAck(id: string): void {
    this.#acks.get(id)?.();
  }

  async close(): Promise<void> {
    await closeRedis(this.#o.subscriber);
  }

  #usable(): boolean {
    return !this.#breaker.isOpen && this.#subscriberHealthy;
  }

  #l1Valid(entry: CacheEntry): boolean {
    for (const [tag, token] of Object.entries(entry.tokens)) {
      if (this.#tokens.get(tag) !== token) return false;
    }
    return true;
  }

  async #lookup(request: CacheRequest): Promise<CacheResult> {
    if (!this.#usable()) return this.#loadWithoutCache(request, undefined);
    let read: { entry: StoredEntry | undefined; tokens: Record<string, string> };
    try {
      read = await this.#readL2(request);
    } catch (error) {
      this.#redisFailed(error);
      return this.#loadWithoutCache(request, this.#l1.get(request.key));
    }
    const now = Date.now();
    const entry = read.entry && tokensMatch(read.entry, read.tokens) ? read.entry : undefined;
    if (entry && now < entry.freshUntil) {
      this.#o.metrics.event("l2", "hit");
      this.#remember(request.key, entry);
      return { entry, source: "L2" };
    }
    if (entry && now < entry.revalidateUntil) {
      this.#o.metrics.event("l2", "stale");
      this.#remember(request.key, entry);
      this.#refreshInBackground(request);
      return { entry, source: "STALE" };
    }
    this.#o.metrics.event("l2", "miss");
    return this.#fill(request, read.tokens, entry);
  }

  /** Loads under the cluster-wide fill lock, or waits for the instance that holds it. */
  async #fill(
    request: CacheRequest,
    tokens: Record<string, string>,
    stale: CacheEntry | undefined,
  ): Promise<CacheResult> {
    const deadline = Date.now() + this.#o.fillLockMs;
    for (let waited = false; ; waited = true) {
      let locked: string | null;
      try {
        locked = await this.#o.redis.set(
          lockKey(request.key),
          this.#lockOwner,
          "PX",
          this.#o.fillLockMs,
          "NX",
        );
      } catch (error) {
        this.#redisFailed(error);
        return this.#loadWithoutCache(request, stale);
      }
      if (!locked) await sleep(15); // someone else is loading: poll L2 for their result
      // Read L2 with the lock held too: the last holder may have stored the entry and
      // released the lock between our previous read and our SET NX.
      try {
        const read = await this.#readL2(request);
        const filled = freshEntry(read);
        if (filled) {
          if (locked) this.#releaseLock(request.key);
          this.#o.metrics.event("l2", "coalesced");
          this.#remember(request.key, filled);
          return { entry: filled, source: "L2" };
        }
        tokens = read.tokens;
      } catch (error) {
        if (locked) this.#releaseLock(request.key);
        this.#redisFailed(error);
        return this.#loadWithoutCache(request, stale);
      }
      if (locked) return this.#loadAndStore(request, tokens, stale);
      if (Date.now() > deadline && waited) return this.#loadAndStore(request, tokens, stale);
    }
  }

  async #loadAndStore(
    request: CacheRequest,
    tokens: Record<string, string>,
    stale: CacheEntry | undefined,
  ): Promise<CacheResult> {
    try {
      let body: string | Loaded;
      try {
        body = await request.load();
      } catch (error) {
        if (stale && Date.now() < stale.errorUntil) {
          this.#o.metrics.event("db", "stale_if_error");
          return { entry: stale, source: "STALE" };
        }
        throw error;
      }
      this.#o.metrics.event("db", "query");
      const entry = makeEntry(typeof body === "string" ? { body } : body, tokens, request.policy);
      try {
        await this.#o.redis.set(
          entryKey(request.key),
          JSON.stringify(entry),
          "PX",
          Math.max(1, expiresAt(entry) - Date.now()),
        );
        this.#remember(request.key, entry);
      } catch (error) {
        this.#redisFailed(error);
      }
      return { entry, source: "MISS" };
    } finally {
      this.#releaseLock(request.key);
    }
  }

  #releaseLock(key: string): void {
    this.#o.redis.eval(RELEASE_LOCK, 1, lockKey(key), this.#lockOwner).catch(() => {});
  }

  /** Redis is unavailable: PostgreSQL answers, coalesced only within this process. */
  async #loadWithoutCache(
    request: CacheRequest,
    stale: CacheEntry | undefined,
  ): Promise<CacheResult> {
    try {
      const body = await request.load();
      this.#o.metrics.event("db", "query");
      return {
        entry: makeEntry(typeof body === "string" ? { body } : body, {}, request.policy),
        source: "MISS",
      };
    } catch (error) {
      // Without Redis we cannot know whether a local copy was invalidated; only serve it when
      // PostgreSQL is down too and it is within its stale-if-error window.
      if (stale && Date.now() < stale.errorUntil) {
        this.#o.metrics.event("db", "stale_if_error");
        return { entry: stale, source: "STALE" };
      }
      throw error;
    }
  }

  #refreshInBackground(request: CacheRequest): void {
    if (this.#refreshing.has(request.key)) return;
    this.#refreshing.add(request.key);
    (async () => {
      const locked = await this.#o.redis.set(
        lockKey(request.key),
        this.#lockOwner,
        "PX",
        this.#o.fillLockMs,
        "NX",
      );
      if (!locked) return;
      // Another instance may have refreshed it and released the lock since our read.
      const read = await this.#readL2(request);
      const refreshed = freshEntry(read);
      if (refreshed) {
        this.#releaseLock(request.key);
        this.#remember(request.key, refreshed);
        return;
      }
      await this.#loadAndStore(request, read.tokens, undefined);
    })()
      .catch((error: Error) =>
        this.#o.logger.warn({ err: error.message, key: request.key }, "background refresh failed"),
      )
      .finally(() => this.#refreshing.delete(request.key));
  }

  async #readL2(
    request: CacheRequest,
  ): Promise<{ entry: StoredEntry | undefined; tokens: Record<string, string> }> {
    const keys = [entryKey(request.key), ...request.tags.map(tagKey)];
    const reply = (await this.#o.redis.eval(READ_ENTRY, keys.length, ...keys, newToken())) as (
      string | null
    )[];
    this.#breaker.recordSuccess();
    const tokens: Record<string, string> = {};
    request.tags.forEach((tag, i) => {
      const token = reply[i + 1]!;
      tokens[tag] = token;
      // Only the channel may change a version this instance already knows.
      if (!this.#tokens.has(tag)) this.#tokens.set(tag, token);
    });
    const raw = reply[0];
    return { entry: raw ? (JSON.parse(raw) as StoredEntry) : undefined, tokens };
  }

  #remember(key: string, entry: CacheEntry): void {
    // Only reads count: a background refresh storing the same key again is not a second read.
    if (this.#reads.get(key) !== 2) return;
    const ttl = Math.min(entry.freshUntil - Date.now(), this.#o.l1MaxTtlMs);
    if (ttl > 0 && this.#l1Valid(entry)) {
      const local: LocalEntry = isLocal(entry)
        ? entry
        : { ...entry, body: Buffer.from(entry.body) };
      this.#l1.set(key, local, { ttl });
    }
  }

  #onInvalidation(message: string): void {
    let id: string | undefined;
    try {
      const parsed = JSON.parse(message) as { id: string; tokens: Record<string, string> };
      id = parsed.id;
      this.#applyTokens(parsed.tokens);
    } catch {
      this.#flushLocal();
    }
    if (id) this.#o.redis.publish(ACK_CHANNEL, id).catch(() => {});
  }

  #applyTokens(tokens: Record<string, string>): void {
    for (const [tag, token] of Object.entries(tokens)) this.#tokens.set(tag, token);
    for (const [key, entry] of this.#l1.entries()) {
      if (!this.#l1Valid(entry)) this.#l1.delete(key);
    }
  }

  #flushLocal(): void {
    this.#l1.clear();
    this.#tokens.clear();
  }

  #redisFailed(error: unknown): void {
    this.#o.logger.warn({ err: (error as Error).message }, "cache Redis error");
    this.#breaker.recordFailure();
  }
}
