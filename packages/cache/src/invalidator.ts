import type { AppCache } from "./app-cache.ts";
import type { CdnPurger } from "./cdn-purge.ts";
import type { NginxPurger } from "./nginx-purge.ts";

/** The cache cannot take an invalidation now, so the write must not happen: a 503 for the API. */
export class CacheUnavailableError extends Error {
  readonly code = "CACHE_UNAVAILABLE";
  constructor(cause: unknown) {
    super("the cache cannot be kept coherent right now; retry shortly", { cause });
    this.name = "CacheUnavailableError";
  }
}

interface Logger {
  warn(obj: object, msg: string): void;
}

export interface InvalidatorParts {
  appCache: AppCache;
  nginx: NginxPurger;
  cdn: CdnPurger;
  publish(tags: string[]): Promise<void>;
  logger: Logger;
}

/**
 * Keeps every tier coherent around a write of catalogue data:
 *
 * - `beforeWrite` bumps the tags first and refuses the write (503) when the cache Redis cannot
 *   take it: a write that commits without invalidating would leave other instances serving the
 *   old value. Coherence wins over write availability; reads keep working either way.
 * - `afterWrite`, once the transaction has committed, bumps the tags again (a reader between
 *   the two bumps may have stored the old row under the first), waits until every instance has
 *   dropped its L1 copies, purges nginx, and then tells the CDN and open browsers.
 */
export class Invalidator {
  constructor(private readonly parts: InvalidatorParts) {}

  async beforeWrite(tags: string[]): Promise<void> {
    try {
      await this.parts.appCache.invalidate(tags);
    } catch (error) {
      this.parts.logger.warn(
        { err: (error as Error).message, tags },
        "write refused: cache cannot be invalidated",
      );
      throw new CacheUnavailableError(error);
    }
  }

  async afterWrite(tags: string[]): Promise<void> {
    const { appCache, nginx, cdn, publish, logger } = this.parts;
    try {
      await appCache.invalidate(tags);
    } catch (error) {
      // The first bump already made every older entry invalid; only a reader that raced the
      // commit can hold the old row, and only until its freshness ends.
      logger.warn({ err: (error as Error).message, tags }, "post-commit cache invalidation failed");
    }
    await nginx
      .purge(tags)
      .catch((error: Error) => logger.warn({ err: error.message, tags }, "nginx purge failed"));
    await Promise.all([
      cdn
        .purge(tags)
        .catch((error: Error) =>
          logger.warn({ err: error.message, tags, cdn: cdn.provider }, "cdn purge failed"),
        ),
      publish(tags).catch((error: Error) =>
        logger.warn({ err: error.message }, "live event not published"),
      ),
    ]);
  }
}
