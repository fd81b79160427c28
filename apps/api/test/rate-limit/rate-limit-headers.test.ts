import { describe, expect, it } from "vitest";
import { loadApiConfig } from "@strata/config";
import { buildPolicies } from "../../src/rate-limit/policies.ts";
import { rateLimitHeaders } from "../../src/rate-limit/rate-limit-headers.ts";
import type { Decision } from "../../src/rate-limit/rate-limiter.ts";
import { parseLimitField } from "./support/rate-limit-headers.ts";

const { login } = buildPolicies(
  loadApiConfig({ DATABASE_URL: "postgres://u:s3cure-Pa55@db/x", REDIS_STATE_URL: "redis://r" })
    .rateLimit,
);
const [address, account] = login.rules as [(typeof login.rules)[0], (typeof login.rules)[0]];

describe("RateLimit headers (draft-ietf-httpapi-ratelimit-headers-10)", () => {
  it("write one structured-field list member per rule", () => {
    const decision: Decision = {
      policy: login,
      outcome: "allowed",
      rules: [
        { rule: address, quota: 5, remaining: 2, resetSeconds: 37, exhausted: false },
        { rule: account, quota: 5, remaining: 4, resetSeconds: 60, exhausted: false },
      ],
    };
    const headers = rateLimitHeaders(decision);
    expect(headers["ratelimit-policy"]).toBe('"login-address";q=5;w=60, "login-account";q=5;w=60');
    expect(headers.ratelimit).toBe('"login-address";r=2;t=37, "login-account";r=4;t=60');
    expect(headers["retry-after"]).toBeUndefined();
    expect(parseLimitField(headers.ratelimit)).toEqual([
      { name: "login-address", params: { r: 2, t: 37 } },
      { name: "login-account", params: { r: 4, t: 60 } },
    ]);
  });

  it("add Retry-After to a refusal, and show the reduced quota of a fallback", () => {
    const headers = rateLimitHeaders({
      policy: login,
      outcome: "fallback_limited",
      rules: [{ rule: address, quota: 1, remaining: 0, resetSeconds: 12, exhausted: true }],
      retryAfterSeconds: 12,
    });
    expect(headers["retry-after"]).toBe("12");
    expect(parseLimitField(headers["ratelimit-policy"])).toEqual([
      { name: "login-address", params: { q: 1, w: 60 } },
    ]);
  });

  it("state the policy but no remaining count when nothing could be counted", () => {
    const headers = rateLimitHeaders({
      policy: login,
      outcome: "unavailable",
      rules: [],
      retryAfterSeconds: 1,
    });
    expect(parseLimitField(headers["ratelimit-policy"]).map((p) => p.name)).toEqual([
      "login-address",
      "login-account",
    ]);
    expect(headers.ratelimit).toBeUndefined();
    expect(headers["retry-after"]).toBe("1");
  });
});
