import { describe, expect, it } from "vitest";
import { loadApiConfig } from "@strata/config";
import { assertDistinctPrefixes, buildPolicies } from "../../src/rate-limit/policies.ts";
import { policyForRoute, ROUTE_POLICIES } from "../../src/rate-limit/route-policies.ts";

const env = { DATABASE_URL: "postgres://u:s3cure-Pa55@db/strata", REDIS_STATE_URL: "redis://r" };

describe("rate-limit policies", () => {
  it("come from the environment with the brief's defaults", () => {
    const policies = buildPolicies(loadApiConfig(env).rateLimit);
    expect(policies.login.rules).toMatchObject([
      { name: "login-address", partition: "address", max: 5, windowSeconds: 60 },
      { name: "login-account", partition: "account", max: 5, windowSeconds: 60 },
    ]);
    expect(policies.login.onRedisError).toBe("fail-closed");
    expect(policies["users-list"].rules).toMatchObject([
      { partition: "user", max: 100, windowSeconds: 60 },
    ]);
    expect(policies["users-list"].onRedisError).toBe("local");
    expect(policies.default.rules).toMatchObject([{ partition: "user", max: 120 }]);
    for (const policy of Object.values(policies)) expect(policy.algorithm).toBe("sliding-log");
  });

  it("lease permits for the default policy only", () => {
    const policies = buildPolicies(
      loadApiConfig({ ...env, RATE_LIMIT_EXPECTED_INSTANCES: "4" }).rateLimit,
    );
    expect(policies.default.lease).toEqual({
      firstBatch: 32,
      maxBatch: 1024,
      ms: 300,
      shareDivisor: 8,
    });
    expect(policies.login.lease).toBeUndefined();
    expect(policies["users-list"].lease).toBeUndefined();
  });

  it("size the local fallback so the expected instances together stay within the policy", () => {
    const config = loadApiConfig({
      ...env,
      RATE_LIMIT_EXPECTED_INSTANCES: "3",
      RATE_LIMIT_LOGIN_ON_REDIS_ERROR: "local",
    }).rateLimit;
    const policies = buildPolicies(config);
    expect(policies.login.onRedisError).toBe("local");
    expect(policies.login.rules[0]!.localMax).toBe(1); // 5 / 3, rounded down
    expect(policies["users-list"].rules[0]!.localMax).toBe(33);
    const one = buildPolicies({ ...config, expectedInstances: 1 });
    expect(one["users-list"].rules[0]!.localMax).toBe(100);
  });

  it("give every rule its own key prefix, and refuse a clash", () => {
    const policies = Object.values(buildPolicies(loadApiConfig(env).rateLimit));
    const prefixes = policies.flatMap((p) => p.rules.map((r) => r.keyPrefix));
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const prefix of prefixes) expect(prefix).toMatch(/^ratelimit:[a-z-]+:$/);
    const login = policies[0]!;
    const clash = {
      ...login,
      rules: [login.rules[0]!, { ...login.rules[1]!, keyPrefix: login.rules[0]!.keyPrefix }],
    };
    expect(() => assertDistinctPrefixes([clash])).toThrow(/not unique/);
  });

  it("refuse RATE_LIMIT_ENABLED=false in production only", () => {
    expect(() =>
      loadApiConfig({ ...env, NODE_ENV: "production", RATE_LIMIT_ENABLED: "false" }),
    ).toThrow(/RATE_LIMIT_ENABLED=false is refused in production/);
    expect(loadApiConfig({ ...env, RATE_LIMIT_ENABLED: "false" }).rateLimit.enabled).toBe(false);
  });
});

describe("route policies", () => {
  it("map login and the users list, default the rest of /api, leave probes alone", () => {
    expect(ROUTE_POLICIES).toEqual({
      "POST /api/auth/login": "login",
      "GET /api/users": "users-list",
    });
    expect(policyForRoute("POST", "/api/auth/login")).toBe("login");
    expect(policyForRoute("GET", "/api/users")).toBe("users-list");
    expect(policyForRoute("HEAD", "/api/users")).toBe("users-list");
    expect(policyForRoute("GET", "/api/users/me")).toBe("default");
    expect(policyForRoute("POST", "/api/auth/register")).toBe("default");
    expect(policyForRoute("POST", "/api/products/:id/images")).toBe("default");
    expect(policyForRoute("GET", "/api/auth/login")).toBe("default");
    for (const url of ["/health", "/ready", "/metrics", "/apiary"]) {
      expect(policyForRoute("GET", url)).toBeNull();
    }
  });
});
