import { serializeItem, serializeList, type List } from "structured-headers";
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
  headers["ratelimit-policy"] =
    decision.rules.length > 0
      ? decision.rules
          .map((s) => policyMember(s.rule.name, s.quota, s.rule.windowSeconds))
          .join(", ")
      : decision.policy.rules
          .map((rule) => policyMember(rule.name, rule.max, rule.windowSeconds))
          .join(", ");
  if (decision.rules.length > 0) {
    // sf-integers are plain decimals: only the name needs the serializer, once.
    headers.ratelimit = decision.rules
      .map((s) => `${nameItem(s.rule.name)};r=${s.remaining};t=${s.resetSeconds}`)
      .join(", ");
  }
  if (decision.retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(decision.retryAfterSeconds);
  }
  return headers;
}

// Both depend only on a rule and its quota: serialised once, not on every request (they were
// 5 % of a rate-limited read).
const names = new Map<string, string>();
const policyMembers = new Map<string, string>();

function nameItem(name: string): string {
  let item = names.get(name);
  if (item === undefined) {
    item = serializeItem(name);
    names.set(name, item);
  }
  return item;
}

function policyMember(name: string, quota: number, windowSeconds: number): string {
  const key = `${name} ${quota} ${windowSeconds}`;
  let member = policyMembers.get(key);
  if (member === undefined) {
    const list: List = [
      [
        name,
        new Map([
          ["q", quota],
          ["w", windowSeconds],
        ]),
      ],
    ];
    member = serializeList(list);
    policyMembers.set(key, member);
  }
  return member;
}
