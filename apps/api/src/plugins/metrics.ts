import fp from "fastify-plugin";
import client from "prom-client";
import { NginxCacheCounts } from "../services/ops/nginx-cache-counts.ts";

declare module "fastify" {
  interface FastifyInstance {
    metrics: { registry: client.Registry };
  }
}

/**
 * Prometheus metrics on a registry of this app's own (tests build several apps in one
 * process): request duration by route and status, the database pool and Redis state, and,
 * where nginx's access log is readable (OPS_NGINX_ACCESS_LOG), nginx's cache outcomes.
 */
export default fp<{ instanceId: string; nginxAccessLog?: string }>(
  async (app, { instanceId, nginxAccessLog }) => {
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

    if (nginxAccessLog) {
      const nginxCounts = new NginxCacheCounts(nginxAccessLog);
      await nginxCounts.start();
      new client.Counter({
        name: "nginx_cache_requests_total",
        help: "nginx's answers to /api requests by cache status (X-Cache-Status; none: no cache applies), from its access log since this instance started",
        labelNames: ["cache_status"] as const,
        registers: [registry],
        async collect() {
          const counts = await nginxCounts.read().catch(() => new Map<string, number>());
          for (const [status, n] of counts) this.inc({ cache_status: status }, n);
        },
      });
    }

    app.decorate("metrics", { registry });

    // Callback-style hooks here and in the other per-request plugins: nothing in them
    // awaits, and an async hook costs a promise and a microtask on every request.
    app.addHook("onResponse", (request, reply, done) => {
      // The route pattern, not the URL: one series per route, whatever ids clients send.
      const route = request.routeOptions.url ?? "unmatched";
      duration.observe(
        { method: request.method, route, status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });

    app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
      reply.header("cache-control", "no-store").type(registry.contentType);
      return registry.metrics();
    });
  },
  { name: "metrics", dependencies: ["database", "redis"] },
);
