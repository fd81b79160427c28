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
  return (policy, outcome) => counter.inc({ limiter: policy.name, outcome });
}
