import { serializeItem, serializeList, type List } from "structured-headers";
import type { LimitRule } from "./policies.ts";
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
    decision.rules.length === 1
      ? policyMember(decision.rules[0]!.rule, decision.rules[0]!.quota)
      : decision.rules.length > 1
        ? decision.rules.map((s) => policyMember(s.rule, s.quota)).join(", ")
        : decision.policy.rules.map((rule) => policyMember(rule, rule.max)).join(", ");
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
// 5 % of a rate-limited read), and found by the rule object itself, not a key built per request.
const names = new Map<string, string>();
const policyMembers = new WeakMap<LimitRule, Map<number, string>>();

function nameItem(name: string): string {
  let item = names.get(name);
  if (item === undefined) {
    item = serializeItem(name);
    names.set(name, item);
  }
  return item;
}

function policyMember(rule: LimitRule, quota: number): string {
  let byQuota = policyMembers.get(rule);
  if (byQuota === undefined) {
    byQuota = new Map();
    policyMembers.set(rule, byQuota);
  }
  let member = byQuota.get(quota);
  if (member === undefined) {
    const list: List = [
      [
        rule.name,
        new Map([
          ["q", quota],
          ["w", rule.windowSeconds],
        ]),
      ],
    ];
    member = serializeList(list);
    byQuota.set(quota, member);
  }
  return member;
}
