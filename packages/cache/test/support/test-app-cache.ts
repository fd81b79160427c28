import type { Redis } from "ioredis";
import client from "prom-client";
import { AppCache, type AppCacheOptions } from "../../src/app-cache.ts";
import { createCacheMetrics } from "../../src/cache-metrics.ts";

/**
 * An AppCache for tests on real Redis clients: short locks, breaker and acknowledgement
 * timeouts so failure paths finish quickly, its own metrics registry, a silent logger.
 */
export function testAppCache(
  redis: Redis,
  subscriber: Redis,
  overrides: Partial<AppCacheOptions> = {},
): AppCache {
  return new AppCache({
    redis,
    subscriber,
    l1MaxEntries: 100,
    l1MaxTtlMs: 5000,
    fillLockMs: 1000,
    breakerMs: 300,
    ackTimeoutMs: 300,
    metrics: createCacheMetrics(new client.Registry()),
    logger: { warn: () => {}, info: () => {} },
    ...overrides,
  });
}
