import type { FastifyReply, FastifyRequest, preHandlerHookHandler } from "fastify";
import fp from "fastify-plugin";
import type { RateLimitConfig } from "@strata/config";
import { trustedProxyCheck } from "../http/client-address.ts";
import { HttpProblem } from "../http/problem.ts";
import { LocalSlidingLog } from "./local-sliding-log.ts";
import { PermitLeases } from "./permit-leases.ts";
import { buildPolicies, type PolicyName } from "./policies.ts";
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
    const isCacheRefresh = cacheRefreshTest(app.config.http.trustedProxies);

    app.addHook("onRoute", (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const byMethod = new Map<string, PolicyName>();
      for (const method of methods) {
        const name = policyForRoute(method, route.url, routes);
        if (name) byMethod.set(method.toUpperCase(), name);
      }
      if (byMethod.size === 0) return;
      // Callback style: a read admitted from a lease in hand is decided without a promise.
      const check: preHandlerHookHandler = (request, reply, done) => {
        const name = byMethod.get(request.method);
        if (!name || isCacheRefresh(request)) return done();
        const policy = policies[name];
        const partitions = partitionsFor(policy, request);
        const now = limiter.decideNow(policy, partitions);
        if (now) return done(apply(now, request, reply));
        limiter.decideLater(policy, partitions).then(
          (decision) => done(apply(decision, request, reply)),
          (error: Error) => done(error),
        );
      };
      const existing = route.preHandler;
      route.preHandler = [...(existing ? [existing].flat() : []), check];
    });

    // The remaining quota goes on the response only if no shared cache (nginx, a CDN) may
    // store it: a stored copy would replay one client's quota to every other client, and
    // nginx adds no Age header by which clients could tell (the draft's rule for cached
    // responses). Such responses keep the static policy only.
    app.addHook("onSend", (request, reply, payload, done) => {
      const remaining = request[REMAINING];
      if (remaining !== undefined && !sharedCacheable(reply.getHeader("cache-control"))) {
        reply.header("ratelimit", remaining);
      }
      done(null, payload);
    });
  },
  { name: "rate-limit", dependencies: ["redis", "metrics"] },
);

/** The `RateLimit` value of an admitted request, kept for onSend. */
const REMAINING = Symbol("ratelimit");
declare module "fastify" {
  interface FastifyRequest {
    [REMAINING]?: string;
  }
}

/** Puts the decision's headers on the reply; the error to refuse with, if it refuses. */
function apply(
  decision: Decision,
  request: FastifyRequest,
  reply: FastifyReply,
): HttpProblem | undefined {
  const headers = rateLimitHeaders(decision);
  if (decision.outcome === "limited" || decision.outcome === "fallback_limited") {
    return tooManyRequests(decision, headers);
  }
  if (decision.outcome === "unavailable") return unavailable(decision, headers);
  // On the reply for every outcome, so a 401 from the handler still tells the client its quota.
  reply.header("ratelimit-policy", headers["ratelimit-policy"]);
  if (headers.ratelimit !== undefined) request[REMAINING] = headers.ratelimit;
  return undefined;
}

/** Cache-Control values are few per app: each one is judged once. */
const shareable = new Map<string, boolean>();

function sharedCacheable(cacheControl: unknown): boolean {
  const value = String(cacheControl ?? "");
  let verdict = shareable.get(value);
  if (verdict === undefined) {
    const lower = value.toLowerCase();
    verdict = /\b(public|s-maxage)\b/.test(lower) && !/\b(private|no-store)\b/.test(lower);
    if (shareable.size < 1_000) shareable.set(value, verdict);
  }
  return verdict;
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

/**
 * A writer's refresh of nginx's cache (X-Cache-Refresh: 1 on nginx's internal listener) is
 * not a client's read: it is not counted. Counted, a burst of reads from the writer's address
 * used up its quota and the refreshes after a write got 429s, which nginx does not store, so
 * its stale copy stayed. Only nginx can say so: it sets the header itself, on every proxied
 * location (stripping any a client sent), and the request must come from a trusted proxy.
 */
function cacheRefreshTest(trustedProxies: string[]): (request: FastifyRequest) => boolean {
  if (trustedProxies.length === 0) return () => false;
  const trusted = trustedProxyCheck(trustedProxies);
  return (request) =>
    request.headers["x-cache-refresh"] === "1" &&
    (request.method === "GET" || request.method === "HEAD") &&
    trusted(request.socket.remoteAddress ?? "", 0);
}
