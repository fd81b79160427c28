import { Redis } from "ioredis";
import type client from "prom-client";
import type { CacheConfig } from "@strata/config";
import { AppCache } from "./app-cache.ts";
import { createCacheMetrics } from "./cache-metrics.ts";
import { createCdnPurger } from "./cdn-purge.ts";
import { Invalidator } from "./invalidator.ts";
import { publishLiveInvalidation } from "./live-events-channel.ts";
import { NginxPurger } from "./nginx-purge.ts";

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CacheTiers {
  appCache: AppCache;
  nginx: NginxPurger;
  invalidator: Invalidator;
  close(): Promise<void>;
}

/**
 * Everything a process needs to read through the app cache and to keep every tier coherent
 * when it writes: the API and the worker build the same thing from the same configuration.
 * `redis` is the caller's request-path client of the cache Redis (fails fast); the invalidation
 * channel gets a connection of its own, since a subscribed connection can run nothing else.
 */
export async function createCacheTiers(options: {
  config: CacheConfig;
  redis: Redis;
  cacheUrl: string;
  name: string;
  registry: client.Registry;
  logger: Logger;
}): Promise<CacheTiers> {
  const { config, redis, logger } = options;
  const subscriber = new Redis(options.cacheUrl, {
    connectionName: `${options.name}:cache-bus`,
    lazyConnect: true,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Failures show as a cache bypass, reported by the cache itself.
  subscriber.on("error", () => {});
  const appCache = new AppCache({
    redis,
    subscriber,
    l1MaxEntries: Math.max(1, config.l1MaxEntries),
    l1MaxBytes: config.l1MaxBytes,
    l1MaxTtlMs: config.l1MaxEntries === 0 ? 0 : config.l1MaxTtlMs,
    fillLockMs: config.fillLockMs,
    breakerMs: config.breakerMs,
    ackTimeoutMs: config.ackTimeoutMs,
    metrics: createCacheMetrics(options.registry),
    logger,
  });
  await subscriber
    .connect()
    .catch((error: Error) =>
      logger.warn({ err: error.message }, "cache bus unreachable at start-up"),
    );
  await appCache.start();
  const nginx = new NginxPurger({
    redis,
    baseUrls: config.nginxPurgeUrls,
    timeoutMs: 1000,
    logger,
  });
  const invalidator = new Invalidator({
    appCache,
    nginx,
    cdn: createCdnPurger(config.cdn, logger),
    publish: (tags) => publishLiveInvalidation(redis, tags),
    logger,
  });
  return { appCache, nginx, invalidator, close: () => appCache.close() };
}
