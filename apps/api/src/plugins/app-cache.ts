import fp from "fastify-plugin";
import { Redis } from "ioredis";
import type { CacheConfig } from "@strata/config";
import { AppCache } from "../cache/app-cache.ts";
import { createCacheMetrics } from "../cache/cache-metrics.ts";

declare module "fastify" {
  interface FastifyInstance {
    appCache: AppCache;
  }
}

/**
 * The application cache tier on the cache Redis. Its invalidation channel needs a connection of
 * its own (a subscribed connection can run no other command); it reconnects forever and a
 * reconnect flushes L1, since messages sent meanwhile are lost.
 */
export default fp<{ config: CacheConfig; cacheUrl: string; instanceId: string }>(
  async (app, { config, cacheUrl, instanceId }) => {
    const subscriber = new Redis(cacheUrl, {
      connectionName: `strata-api:${instanceId}:cache-bus`,
      lazyConnect: true,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    subscriber.on("error", () => {
      /* reported by the cache itself as a bypass */
    });
    const cache = new AppCache({
      redis: app.redis.cache,
      subscriber,
      l1MaxEntries: Math.max(1, config.l1MaxEntries),
      l1MaxTtlMs: config.l1MaxEntries === 0 ? 0 : config.l1MaxTtlMs,
      fillLockMs: config.fillLockMs,
      breakerMs: config.breakerMs,
      ackTimeoutMs: config.ackTimeoutMs,
      metrics: createCacheMetrics(app.metrics.registry),
      logger: app.log,
    });
    await subscriber
      .connect()
      .catch((error: Error) =>
        app.log.warn({ err: error.message }, "cache bus unreachable at start-up"),
      );
    await cache.start();
    app.decorate("appCache", cache);
    app.addHook("onClose", async () => {
      await cache.close();
    });
  },
  { name: "app-cache", dependencies: ["redis", "metrics"] },
);
