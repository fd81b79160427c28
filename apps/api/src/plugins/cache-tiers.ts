import fp from "fastify-plugin";
import { createCacheTiers, type AppCache, type Invalidator, type NginxPurger } from "@strata/cache";
import type { CacheConfig } from "@strata/config";

declare module "fastify" {
  interface FastifyInstance {
    /** The application cache tier (L1 + Redis L2). */
    appCache: AppCache;
    /** Keeps every cache tier coherent around catalogue writes. */
    invalidator: Invalidator;
    nginxPurger: NginxPurger;
  }
}

/** The app cache on the cache Redis, and the invalidation of every tier a write must reach. */
export default fp<{ config: CacheConfig; cacheUrl: string; instanceId: string }>(
  async (app, { config, cacheUrl, instanceId }) => {
    const tiers = await createCacheTiers({
      config,
      redis: app.redis.cache,
      cacheUrl,
      name: `strata-api:${instanceId}`,
      registry: app.metrics.registry,
      logger: app.log,
    });
    app.decorate("appCache", tiers.appCache);
    app.decorate("invalidator", tiers.invalidator);
    app.decorate("nginxPurger", tiers.nginx);
    app.addHook("onClose", () => tiers.close());
  },
  { name: "cache-tiers", dependencies: ["redis", "metrics"] },
);
