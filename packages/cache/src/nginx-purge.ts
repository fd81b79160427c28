import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";

const urlsKey = (tag: string) => `np:${tag}`;

/**
 * Refreshes in flight at once. Every refresh is a cache miss upstream (the app cache was just
 * invalidated), so a write under a tag with hundreds of recorded URLs (every list page and
 * search nginx holds is recorded under `products`) fired them all at once, queued them behind
 * the instances' database pools, and let many, the written product's own among them, time out:
 * nginx kept serving the old answer as a HIT.
 */
export const REFRESH_CONCURRENCY = 8;

export interface NginxPurgeOptions {
  /** The cache Redis (request-path client). */
  redis: Redis;
  /** One base URL per nginx's refresh listener (e.g. http://nginx:8081); empty: no purging. */
  baseUrls: string[];
  timeoutMs: number;
  /** Refresh requests in flight at once (default {@link REFRESH_CONCURRENCY}). */
  concurrency?: number;
  logger: { warn(obj: object, msg: string): void };
}

/**
 * Invalidates nginx's proxy_cache by tag. nginx knows URLs, not tags, so every public response
 * nginx fetched (and may now hold) is recorded under its tags in Redis for as long as nginx may
 * serve it; after a write, each recorded URL is re-fetched through every nginx with
 * `X-Cache-Refresh: 1`, which nginx honours on its internal refresh listener only, from
 * writers' addresses: the request bypasses the cache and its answer (already new: the app
 * cache was invalidated first) replaces the entry. HEAD is enough: nginx fetches the full GET
 * upstream and stores it.
 */
export class NginxPurger {
  /** URLs recorded recently: an nginx miss storm on one URL costs one Redis write. */
  readonly #recent = new LRUCache<string, true>({ max: 10_000 });

  constructor(private readonly o: NginxPurgeOptions) {}

  get enabled(): boolean {
    return this.o.baseUrls.length > 0;
  }

  /** Remembers that nginx may now cache `url` under `tags` for up to `ttlSeconds`. */
  async record(tags: string[], url: string, ttlSeconds: number): Promise<void> {
    if (!this.enabled) return;
    const memo = `${tags.join(",")} ${url}`;
    if (this.#recent.has(memo)) return;
    // Well within the recorded lifetime, so the set's expiry is always pushed out in time.
    this.#recent.set(memo, true, { ttl: Math.max(1, ttlSeconds * 250) });
    const multi = this.o.redis.multi();
    for (const tag of tags) {
      multi.sadd(urlsKey(tag), url);
      multi.expire(urlsKey(tag), ttlSeconds, "GT");
      multi.expire(urlsKey(tag), ttlSeconds, "NX");
    }
    await multi.exec();
  }

  /** Refreshes every URL recorded under any of `tags` in every nginx. Returns how many. */
  async purge(tags: string[]): Promise<number> {
    if (!this.enabled) return 0;
    // The sets are kept: a refreshed entry stays in nginx (with the new answer) and must be
    // refreshed again by the next write; each set expires with its URLs' lifetime.
    const multi = this.o.redis.multi();
    for (const tag of tags) multi.smembers(urlsKey(tag));
    const results = (await multi.exec()) ?? [];
    const sets: string[][] = [];
    for (const [error, value] of results) {
      if (error) throw error;
      sets.push(value as string[]);
    }
    // The narrowest tag first (product:<id> before products): the written item's own URLs are
    // refreshed before the lists that merely include it, however many lists are recorded.
    sets.sort((a, b) => a.length - b.length);
    const urls = new Set(sets.flat());
    const requests = [...urls].flatMap((url) => this.o.baseUrls.map((base) => `${base}${url}`));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length) await this.#refreshOne(requests[next++]!);
    };
    const lanes = Math.min(requests.length, this.o.concurrency ?? REFRESH_CONCURRENCY);
    await Promise.all(Array.from({ length: lanes }, worker));
    return urls.size;
  }

  async #refreshOne(target: string): Promise<void> {
    try {
      const response = await fetch(target, {
        method: "HEAD",
        headers: { "x-cache-refresh": "1" },
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      // A 404 (a deleted product) is an answer too: its route's notFoundPolicy lets nginx keep
      // it for the route's freshness, so it replaces the stored 200.
      if (response.status >= 500) {
        this.o.logger.warn({ target, status: response.status }, "nginx refresh failed");
      }
      await response.body?.cancel();
    } catch (error) {
      this.o.logger.warn({ target, err: (error as Error).message }, "nginx refresh failed");
    }
  }
}
