import type { OpsInstance } from "@strata/contracts";
import { parsePrometheusText, sumOf, type Sample } from "./prometheus-text.ts";

/** Routes that are probes or the ops view itself, not traffic. */
const NOT_TRAFFIC = new Set(["/health", "/ready", "/metrics", "/api/ops/overview", "unmatched"]);
const PHASES = new Set(["starting", "serving", "draining"]);

async function get(url: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, text: await response.text() };
}

/**
 * Asks one instance for /ready and /metrics, each with its own short timeout, and reduces
 * them to what the operations view shows. Never throws: an instance that does not answer is a
 * row that says so.
 */
export async function probeInstance(baseUrl: string, timeoutMs: number): Promise<OpsInstance> {
  const [ready, metrics] = await Promise.allSettled([
    get(`${baseUrl}/ready`, timeoutMs),
    get(`${baseUrl}/metrics`, timeoutMs),
  ]);
  let phase: OpsInstance["phase"] = "unknown";
  if (ready.status === "fulfilled") {
    try {
      const body = JSON.parse(ready.value.text) as { phase?: string };
      if (body.phase && PHASES.has(body.phase)) phase = body.phase as OpsInstance["phase"];
    } catch {
      // not health+json: leave the phase unknown
    }
  }
  const samples: Sample[] =
    metrics.status === "fulfilled" ? parsePrometheusText(metrics.value.text) : [];
  const up = ready.status === "fulfilled" || metrics.status === "fulfilled";
  const failure = [ready, metrics].find((r) => r.status === "rejected");
  const instanceId = samples.find((s) => s.labels.instance_id)?.labels.instance_id;
  const has = (name: string) => samples.some((s) => s.name === name);
  const pool = (state: string) => sumOf(samples, "db_pool_connections", (l) => l.state === state);
  const cache = (tier: string, event: string) =>
    sumOf(samples, "app_cache_events_total", (l) => l.tier === tier && l.event === event);
  return {
    id: instanceId ?? baseUrl,
    url: baseUrl,
    up,
    ready: ready.status === "fulfilled" && ready.value.status === 200,
    phase: up ? phase : "unreachable",
    ...(failure ? { error: String((failure.reason as Error).message ?? failure.reason) } : {}),
    requests: sumOf(
      samples,
      "http_request_duration_seconds_count",
      (l) => !NOT_TRAFFIC.has(l.route ?? ""),
    ),
    rateLimited: sumOf(
      samples,
      "rate_limit_decisions_total",
      (l) => l.outcome === "limited" || l.outcome === "fallback_limited",
    ),
    pool: has("db_pool_connections")
      ? { total: pool("total"), idle: pool("idle"), waiting: pool("waiting"), max: pool("max") }
      : null,
    appCache: has("app_cache_events_total")
      ? {
          l1Hits: cache("l1", "hit"),
          l2Hits: cache("l2", "hit"),
          stale: sumOf(
            samples,
            "app_cache_events_total",
            (l) => l.event === "stale" || l.event === "stale_if_error",
          ),
          misses: cache("db", "query"),
        }
      : null,
  };
}
