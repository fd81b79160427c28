import type { Redis } from "ioredis";

const urlsKey = (tag: string) => `np:${tag}`;

export interface NginxPurgeOptions {
  /** The cache Redis (request-path client). */
  redis: Redis;
  /** One base URL per nginx (e.g. http://127.0.0.1:8080); empty turns purging off. */
  baseUrls: string[];
  timeoutMs: number;
  logger: { warn(obj: object, msg: string): void };
}

/**
 * Purges nginx's proxy_cache by tag. nginx knows URLs, not tags, so every public response that
 * nginx fetched (and may now hold) is recorded under its tags in Redis for as long as nginx
 * may serve it; a write sends one `PURGE <url>` per recorded URL to every nginx (the
 * cache-purge module answers it in the same location, with the same cache key).
 */
export class NginxPurger {
  constructor(private readonly o: NginxPurgeOptions) {}

  get enabled(): boolean {
    return this.o.baseUrls.length > 0;
  }

  /** Remembers that nginx may now cache `url` under `tags` for up to `ttlSeconds`. */
  async record(tags: string[], url: string, ttlSeconds: number): Promise<void> {
    if (!this.enabled) return;
    const multi = this.o.redis.multi();
    for (const tag of tags) {
      multi.sadd(urlsKey(tag), url);
      multi.expire(urlsKey(tag), ttlSeconds, "GT");
      multi.expire(urlsKey(tag), ttlSeconds, "NX");
    }
    await multi.exec();
  }

  /** Purges every URL recorded under any of `tags` from every nginx. Returns how many. */
  async purge(tags: string[]): Promise<number> {
    if (!this.enabled) return 0;
    const multi = this.o.redis.multi();
    for (const tag of tags) multi.smembers(urlsKey(tag)).del(urlsKey(tag));
    const results = (await multi.exec()) ?? [];
    const urls = new Set<string>();
    results.forEach(([error, value], i) => {
      if (error) throw error;
      if (i % 2 === 0) for (const url of value as string[]) urls.add(url);
    });
    const requests = [...urls].flatMap((url) => this.o.baseUrls.map((base) => `${base}${url}`));
    await Promise.all(requests.map((target) => this.#purgeOne(target)));
    return urls.size;
  }

  async #purgeOne(target: string): Promise<void> {
    try {
      const response = await fetch(target, {
        method: "PURGE",
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      // 404: nginx held no copy (expired, or never stored). Both are fine.
      if (response.status !== 200 && response.status !== 404) {
        this.o.logger.warn({ target, status: response.status }, "nginx purge refused");
      }
      await response.body?.cancel();
    } catch (error) {
      this.o.logger.warn({ target, err: (error as Error).message }, "nginx purge failed");
    }
  }
}
