import type { PolicyName } from "./policies.ts";

/**
 * Which routes have a policy of their own, keyed by `METHOD url` as Fastify registers them.
 * This table is the one place the mapping lives; every other route under /api gets the
 * default policy (registration and uploads included).
 */
export const ROUTE_POLICIES: Readonly<Record<string, PolicyName>> = {
  "POST /api/auth/login": "login",
  "GET /api/users": "users-list",
};

/**
 * The policy of a route, or null for routes that are never limited: /health, /ready and
 * /metrics (an orchestrator or Prometheus must never be throttled) and anything else outside
 * /api. HEAD is counted as the GET it mirrors.
 */
export function policyForRoute(
  method: string,
  url: string,
  table: Readonly<Record<string, PolicyName>> = ROUTE_POLICIES,
): PolicyName | null {
  const verb = method.toUpperCase() === "HEAD" ? "GET" : method.toUpperCase();
  const own = table[`${verb} ${url}`];
  if (own) return own;
  return url === "/api" || url.startsWith("/api/") ? "default" : null;
}
