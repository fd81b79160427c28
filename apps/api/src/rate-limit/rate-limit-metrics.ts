import client from "prom-client";
import type { RateLimitPolicy } from "./policies.ts";
import type { Outcome } from "./rate-limiter.ts";

/**
 * `rate_limit_decisions_total{limiter, outcome}` on the app's registry: `limiter` is the
 * policy (login, users-list, default), `outcome` one of allowed, limited, fallback,
 * fallback_limited, unavailable. A rise of fallback or unavailable means the state Redis is
 * unreachable and limits are per instance (or login is refused).
 */
export function rateLimitDecisionCounter(
  registry: client.Registry,
): (policy: RateLimitPolicy, outcome: Outcome) => void {
  const counter = new client.Counter({
    name: "rate_limit_decisions_total",
    help: "Rate-limit decisions by limiter (policy) and outcome",
    labelNames: ["limiter", "outcome"] as const,
    registers: [registry],
  });
  // One labelled child per (limiter, outcome), found by key: inc() with a labels object hashes
  // it on every request, and every admitted read records a decision.
  const children = new Map<string, client.Counter.Internal>();
  return (policy, outcome) => {
    const key = `${policy.name} ${outcome}`;
    let child = children.get(key);
    if (child === undefined) {
      child = counter.labels({ limiter: policy.name, outcome });
      children.set(key, child);
    }
    child.inc();
  };
}
