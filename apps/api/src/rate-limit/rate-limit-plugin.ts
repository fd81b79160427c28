import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import fp from "fastify-plugin";
import type { RateLimitConfig } from "@strata/config";
import { HttpProblem } from "../http/problem.ts";
import { LocalSlidingLog } from "./local-sliding-log.ts";
import { PermitLeases } from "./permit-leases.ts";
import { buildPolicies, type PolicyName, type RateLimitPolicy } from "./policies.ts";
import { rateLimitDecisionCounter } from "./rate-limit-metrics.ts";
import { rateLimitHeaders } from "./rate-limit-headers.ts";
import { RateLimiter, type Decision } from "./rate-limiter.ts";
import { RedisSlidingLog } from "./redis-sliding-log.ts";
import { partitionsFor } from "./request-partitions.ts";
import { policyForRoute, ROUTE_POLICIES } from "./route-policies.ts";

export interface RateLimitPluginOptions {
  config: RateLimitConfig;
  /** The route-to-policy table; route-policies.ts holds the app's. */
  routes?: Readonly<Record<string, PolicyName>>;
}

const PROBLEM_TYPES = "https://iana.org/assignments/http-problem-types";

/**
 * Applies the rate-limit policies to every route registered after it. The check is the
 * route's last preHandler: after every onRequest hook (so `authenticate` has set
 * `request.user` for the per-user limits) and after body validation (so the login's email is
 * parsed), but before the handler, where the expensive work (argon2) happens.
 */
export default fp<RateLimitPluginOptions>(
  async (app, { config, routes = ROUTE_POLICIES }) => {
    if (!config.enabled) {
      app.log.warn("rate limiting is disabled (RATE_LIMIT_ENABLED=false)");
      return;
    }
    const policies = buildPolicies(config);
    const store = new RedisSlidingLog(app.redis.state);
    const leases = new PermitLeases(store);
    const limiter = new RateLimiter({
      redis: store,
      leases,
      local: new LocalSlidingLog(),
      redisRetryMs: config.redisRetryMs,
      log: app.log.child({ component: "rate-limit" }),
      record: rateLimitDecisionCounter(app.metrics.registry),
    });
    // Unused permits go back to the cluster rather than wait for their leases to end.
    app.addHook("onClose", () => leases.close());

    app.addHook("onRoute", (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const byMethod = new Map<string, PolicyName>();
      for (const method of methods) {
        const name = policyForRoute(method, route.url, routes);
        if (name) byMethod.set(method.toUpperCase(), name);
      }
      if (byMethod.size === 0) return;
      const check: preHandlerAsyncHookHandler = async (request, reply) => {
        const name = byMethod.get(request.method);
        if (name) await enforce(limiter, policies[name], request, reply);
      };
      const existing = route.preHandler;
      route.preHandler = [...(existing ? [existing].flat() : []), check];
    });

    // A response a shared cache (nginx, a CDN) may store would replay one client's remaining
    // quota to every other client, and nginx adds no Age header by which clients could tell
    // (the draft's rule for cached responses). Such responses keep the static policy only.
    app.addHook("onSend", (_request, reply, payload, done) => {
      if (reply.hasHeader("ratelimit") && sharedCacheable(reply.getHeader("cache-control"))) {
        reply.removeHeader("ratelimit");
      }
      done(null, payload);
    });
  },
  { name: "rate-limit", dependencies: ["redis", "metrics"] },
);

async function enforce(
  limiter: RateLimiter,
  policy: RateLimitPolicy,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const decision = await limiter.decide(policy, partitionsFor(policy, request));
  const headers = rateLimitHeaders(decision);
  // On the reply for every outcome, so a 401 from the handler still tells the client its quota.
  reply.headers(headers);
  if (decision.outcome === "limited" || decision.outcome === "fallback_limited") {
    throw tooManyRequests(decision, headers);
  }
  if (decision.outcome === "unavailable") throw unavailable(decision, headers);
}

function sharedCacheable(cacheControl: unknown): boolean {
  const value = String(cacheControl ?? "").toLowerCase();
  return /\b(public|s-maxage)\b/.test(value) && !/\b(private|no-store)\b/.test(value);
}

function violated(decision: Decision): string[] {
  return decision.rules.filter((r) => r.exhausted).map((r) => r.rule.name);
}

function tooManyRequests(decision: Decision, headers: Record<string, string>): HttpProblem {
  return new HttpProblem(
    {
      type: `${PROBLEM_TYPES}#quota-exceeded`,
      status: 429,
      title: "Too Many Requests",
      detail: `rate limit ${violated(decision).join(", ")} reached; retry in ${decision.retryAfterSeconds} s`,
      "violated-policies": violated(decision),
    },
    headers,
  );
}

function unavailable(decision: Decision, headers: Record<string, string>): HttpProblem {
  return new HttpProblem(
    {
      type: `${PROBLEM_TYPES}#temporary-reduced-capacity`,
      status: 503,
      title: "Service Unavailable",
      detail: `${decision.policy.name} is unavailable while its rate-limit store is unreachable; retry shortly`,
      "violated-policies": decision.policy.rules.map((r) => r.name),
    },
    headers,
  );
}
