import fp from "fastify-plugin";
import type { Redis } from "ioredis";
import { closeRedis, requestPathRedis } from "@strata/cache";
import type { ApiConfig } from "@strata/config";

declare module "fastify" {
  interface FastifyInstance {
    redis: {
      /** Sessions, rate-limit counters, queues: a `noeviction` server. */
      state: Redis;
      /** Application cache L2 and its invalidation channel: may evict. */
      cache: Redis;
    };
  }
}

/** Request-path Redis clients fail fast (see @strata/cache's requestPathRedis). */
export const createRedisClient = requestPathRedis;

/**
 * Refuses a state server that may evict keys: a lost session or job is silent data loss.
 * Managed services that disable CONFIG cannot be checked; that is logged, not refused.
 */
export async function checkNoEviction(client: Redis): Promise<"ok" | "unverifiable"> {
  let reply: unknown;
  try {
    reply = await client.config("GET", "maxmemory-policy");
  } catch (error) {
    if (/unknown command|NOPERM/i.test((error as Error).message)) return "unverifiable";
    throw error;
  }
  const policy = (reply as string[])[1];
  if (policy !== "noeviction") {
    throw new Error(
      `REDIS_STATE_URL points at a server with maxmemory-policy "${policy}"; sessions, counters and queues need "noeviction"`,
    );
  }
  return "ok";
}

export default fp<{ config: ApiConfig }>(
  async (app, { config }) => {
    const { stateUrl, cacheUrl, commandTimeoutMs } = config.redis;
    const state = createRedisClient(
      stateUrl,
      commandTimeoutMs,
      `strata-api:${config.instanceId}:state`,
    );
    const cache =
      cacheUrl === stateUrl
        ? state
        : createRedisClient(cacheUrl, commandTimeoutMs, `strata-api:${config.instanceId}:cache`);
    for (const [role, client] of Object.entries({ state, cache })) {
      // Without a listener ioredis prints every failed reconnect; one warning per burst is enough.
      let reported = false;
      client.on("error", (error: Error) => {
        if (!reported) app.log.warn({ err: error.message, role }, "redis connection error");
        reported = true;
      });
      client.on("ready", () => {
        if (reported) app.log.info({ role }, "redis connection restored");
        reported = false;
      });
    }
    // A Redis that is down at start-up degrades the instance (see /ready) instead of stopping
    // it; the eviction policy is then checked as soon as the server is reachable.
    let policyChecked = false;
    const checkPolicy = async () => {
      if (policyChecked) return;
      const result = await checkNoEviction(state);
      policyChecked = true;
      if (result === "unverifiable")
        app.log.warn("cannot read the state Redis maxmemory-policy (CONFIG disabled)");
    };
    const connected = await Promise.allSettled([
      state.connect(),
      cache === state ? undefined : cache.connect(),
    ]);
    if (connected[0].status === "fulfilled") await checkPolicy();
    else {
      app.log.warn(
        { err: String(connected[0].reason) },
        "state Redis unreachable at start-up; running degraded",
      );
      state.once("ready", () => {
        checkPolicy().catch((error: Error) => {
          app.log.fatal({ err: error.message }, "refusing to run against an evicting state Redis");
          process.kill(process.pid, "SIGTERM");
        });
      });
    }
    app.decorate("redis", { state, cache });
    app.addHook("onClose", async () => {
      await Promise.all([closeRedis(state), cache === state ? undefined : closeRedis(cache)]);
    });
  },
  { name: "redis" },
);
