export {
  AppCache,
  type AppCacheOptions,
  type CacheRequest,
  type CacheResult,
  type CacheSource,
} from "./app-cache.ts";
export {
  bodyText,
  makeEntry,
  type CacheEntry,
  type LocalEntry,
  type Loaded,
  type StoredEntry,
} from "./entry.ts";
export { createCacheMetrics, type CacheMetrics } from "./cache-metrics.ts";
export { NginxPurger, type NginxPurgeOptions } from "./nginx-purge.ts";
export {
  createCdnPurger,
  pathsForTags,
  CloudFrontPurger,
  CloudflarePurger,
  LogCdnPurger,
  type CdnPurger,
} from "./cdn-purge.ts";
export { Invalidator, CacheUnavailableError, type InvalidatorParts } from "./invalidator.ts";
export { LIVE_EVENTS_CHANNEL, publishLiveInvalidation } from "./live-events-channel.ts";
export { createCacheTiers } from "./cache-tiers.ts";
export { closeRedis, requestPathRedis } from "./request-path-redis.ts";
