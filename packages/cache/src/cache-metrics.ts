import client from "prom-client";

export type CacheTier = "l1" | "l2" | "db";
export type CacheEvent = "hit" | "miss" | "stale" | "coalesced" | "query" | "stale_if_error";

export interface CacheMetrics {
  event(tier: CacheTier, event: CacheEvent): void;
}

/** `app_cache_events_total{tier,event}`: hits, misses, stale serves and coalesced waits. */
export function createCacheMetrics(registry: client.Registry): CacheMetrics {
  const counter = new client.Counter({
    name: "app_cache_events_total",
    help: "Application cache events by tier (l1, l2, db) and event (hit, miss, stale, coalesced, query, stale_if_error)",
    labelNames: ["tier", "event"] as const,
    registers: [registry],
  });
  return { event: (tier, event) => counter.inc({ tier, event }) };
}
