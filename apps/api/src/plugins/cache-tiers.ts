import fp from "fastify-plugin";
import type { CacheConfig } from "@strata/config";
import { createCdnPurger } from "../cache/cdn-purge.ts";
import { Invalidator } from "../cache/invalidator.ts";
import { NginxPurger } from "../cache/nginx-purge.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** Keeps every cache tier coherent around catalogue writes. */
    invalidator: Invalidator;
    nginxPurger: NginxPurger;
  }
}

/** Wires the tiers a write must reach: app cache, nginx, CDN, open browsers. */
export default fp<{ config: CacheConfig }>(
  async (app, { config }) => {
    const nginx = new NginxPurger({
      redis: app.redis.cache,
      baseUrls: config.nginxPurgeUrls,
      timeoutMs: 1000,
      logger: app.log,
    });
    const invalidator = new Invalidator({
      appCache: app.appCache,
      nginx,
      cdn: createCdnPurger(config.cdn, app.log),
      publish: (tags) => app.liveEvents.publish({ type: "invalidate", tags }),
      logger: app.log,
    });
    app.decorate("nginxPurger", nginx);
    app.decorate("invalidator", invalidator);
  },
  { name: "cache-tiers", dependencies: ["app-cache", "live-events"] },
);
