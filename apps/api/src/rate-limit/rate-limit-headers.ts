import { serializeList, type List } from "structured-headers";
import type { Decision } from "./rate-limiter.ts";

/**
 * The response headers of a limited route, in the syntax of the IETF httpapi
 * ratelimit-headers draft (-10): `RateLimit-Policy: "login-address";q=5;w=60` and
 * `RateLimit: "login-address";r=4;t=60`, one list member per rule, plus `Retry-After` when
 * the request was refused. No partition key (`pk`) is sent: it would echo the client's
 * address or account back. While an instance runs on its local fallback the policy shows
 * the reduced per-instance quota, as the draft allows for temporarily reduced capacity.
 */
export function rateLimitHeaders(decision: Decision): Record<string, string> {
  const headers: Record<string, string> = {};
  const policies: List =
    decision.rules.length > 0
      ? decision.rules.map((s) => [
          s.rule.name,
          new Map([
            ["q", s.quota],
            ["w", s.rule.windowSeconds],
          ]),
        ])
      : decision.policy.rules.map((rule) => [
          rule.name,
          new Map([
            ["q", rule.max],
            ["w", rule.windowSeconds],
          ]),
        ]);
  headers["ratelimit-policy"] = serializeList(policies);
  if (decision.rules.length > 0) {
    headers.ratelimit = serializeList(
      decision.rules.map((s) => [
        s.rule.name,
        new Map([
          ["r", s.remaining],
          ["t", s.resetSeconds],
        ]),
      ]),
    );
  }
  if (decision.retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(decision.retryAfterSeconds);
  }
  return headers;
}
