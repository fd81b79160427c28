import fp from "fastify-plugin";
import client from "prom-client";

declare module "fastify" {
  interface FastifyInstance {
    metrics: { registry: client.Registry };
  }
}

/**
 * Prometheus metrics on a registry of this app's own (tests build several apps in one
 * process): request duration by route and status, the database pool and Redis state.
 */
export default fp<{ instanceId: string }>(
  async (app, { instanceId }) => {
    const registry = new client.Registry();
    registry.setDefaultLabels({ instance_id: instanceId });
    client.collectDefaultMetrics({ register: registry });

    const duration = new client.Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration by method, route and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    new client.Gauge({
      name: "db_pool_connections",
      help: "Database pool connections by state (total, idle, waiting requests, max)",
      labelNames: ["state"] as const,
      registers: [registry],
      collect() {
        const stats = app.db.stats();
        this.set({ state: "total" }, stats.total);
        this.set({ state: "idle" }, stats.idle);
        this.set({ state: "waiting" }, stats.waiting);
        this.set({ state: "max" }, stats.max);
      },
    });
    new client.Gauge({
      name: "redis_connected",
      help: "1 when the Redis client of this role is ready",
      labelNames: ["role"] as const,
      registers: [registry],
      collect() {
        this.set({ role: "state" }, app.redis.state.status === "ready" ? 1 : 0);
        this.set({ role: "cache" }, app.redis.cache.status === "ready" ? 1 : 0);
      },
    });

    app.decorate("metrics", { registry });

    app.addHook("onResponse", async (request, reply) => {
      // The route pattern, not the URL: one series per route, whatever ids clients send.
      const route = request.routeOptions.url ?? "unmatched";
      duration.observe(
        { method: request.method, route, status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });

    app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
      reply.header("cache-control", "no-store").type(registry.contentType);
      return registry.metrics();
    });
  },
  { name: "metrics", dependencies: ["database", "redis"] },
);
