import type { ServerResponse } from "node:http";
import fp from "fastify-plugin";
import { Redis } from "ioredis";
import { closeRedis, LIVE_EVENTS_CHANNEL, publishLiveInvalidation } from "@strata/cache";

declare module "fastify" {
  interface FastifyInstance {
    liveEvents: { publish(event: LiveEvent): Promise<void>; clients(): number };
  }
}

/** What open browsers are told: these cache tags changed, refetch what shows them. */
export interface LiveEvent {
  type: "invalidate";
  tags: string[];
}

const HEARTBEAT_MS = 25_000;

/**
 * `GET /api/events`: a server-sent event stream. A write on any instance publishes on a Redis
 * channel; every instance forwards it to its own open streams, so every browser hears of every
 * write whichever instance it is connected to. Delivery is at most once: the front end also
 * refetches on reconnect.
 */
export default fp<{ cacheUrl: string; instanceId: string }>(
  async (app, { cacheUrl, instanceId }) => {
    const streams = new Set<ServerResponse>();
    const subscriber = new Redis(cacheUrl, {
      connectionName: `strata-api:${instanceId}:events`,
      lazyConnect: true,
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    subscriber.on("error", () => {});
    subscriber.on("message", (_channel: string, message: string) => {
      for (const stream of streams) stream.write(`event: invalidate\ndata: ${message}\n\n`);
    });
    await subscriber.connect().catch(() => {});
    const subscribed = subscriber
      .subscribe(LIVE_EVENTS_CHANNEL)
      .catch((error: Error) => app.log.warn({ err: error.message }, "live events unavailable"));
    // With the cache Redis away at start-up the SUBSCRIBE waits in the offline queue until it
    // connects (the subscriber retries for ever): waiting here would stop the instance from
    // starting at all (Fastify's plugin timeout). Streams get events once it is sent.
    if (subscriber.status === "ready") await subscribed;
    else app.log.warn("live events: cache Redis unreachable at start-up, subscribing when it is");

    const heartbeat = setInterval(() => {
      for (const stream of streams) stream.write(": keep-alive\n\n");
    }, HEARTBEAT_MS);
    heartbeat.unref();

    app.decorate("liveEvents", {
      async publish(event: LiveEvent) {
        await publishLiveInvalidation(app.redis.cache, event.tags);
      },
      clients: () => streams.size,
    });

    app.get("/api/events", { schema: { hide: true } }, (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        // nginx must pass events through as they come, not buffer them.
        "x-accel-buffering": "no",
        "x-instance": instanceId,
      });
      res.write("retry: 3000\n\n");
      streams.add(res);
      request.raw.on("close", () => streams.delete(res));
    });

    // Streams never finish by themselves: end them before the server waits for in-flight
    // requests, or every shutdown would run into its bound. Browsers reconnect elsewhere.
    app.addHook("preClose", async () => {
      clearInterval(heartbeat);
      for (const stream of streams) stream.end();
      streams.clear();
    });
    app.addHook("onClose", async () => {
      await closeRedis(subscriber);
    });
  },
  { name: "live-events", dependencies: ["redis"] },
);
