import type { BenchContext } from "./bench-context.ts";
import { deepCursorPaths, uniqueDetailPaths } from "./catalogue-paths.ts";
import type { Scenario } from "./scenario.ts";

/** Connections for hot paths: nginx's upstream keep-alive pool is 32 per worker. */
const HOT = 32;
/** Login is argon2-bound (libuv's 4 threads): more connections only queue. */
const LOGIN = 8;

/**
 * Every measurement of a run, ceilings first. Each scenario names its ceiling: nginx's static
 * file for what goes through nginx, the bare Fastify route for what goes to one instance.
 * `missPaths` is how many distinct keys a miss scenario may need in one round.
 */
export function benchScenarios(ctx: BenchContext, missPaths: number): Scenario[] {
  const bearer = { authorization: `Bearer ${ctx.token}` };
  return [
    {
      id: "nginx-static",
      title: "ceiling: nginx static file (list-sized)",
      kind: "ceiling",
      url: ctx.staticNginx.url,
      connections: HOT,
      expect: { status: 200 },
    },
    {
      id: "bare-fastify",
      title: "ceiling: bare Fastify, constant JSON",
      kind: "ceiling",
      url: `${ctx.bare.url}/bare`,
      servedBy: () => ctx.bare.pid,
      connections: HOT,
      expect: { status: 200 },
    },
    {
      id: "proxy-hop",
      title: "ceiling: bare Fastify through a bare nginx proxy (two upstreams)",
      kind: "ceiling",
      url: ctx.staticNginx.hopUrl,
      connections: HOT,
      // Its ratio is what one proxy hop costs on this machine: the bound for l1-via-nginx.
      ceiling: "bare-fastify",
      expect: { status: 200 },
    },
    {
      id: "edge-hit",
      title: "edge hit (nginx proxy_cache)",
      kind: "scenario",
      url: `${ctx.nginxUrl}${ctx.listPath}`,
      connections: HOT,
      ceiling: "nginx-static",
      expect: { status: 200, nginxCache: ["HIT"] },
    },
    {
      id: "l1-direct",
      title: "app L1 hit, direct to one instance",
      kind: "scenario",
      url: `${ctx.l1.url}${ctx.listPath}`,
      servedBy: () => ctx.l1.pid,
      connections: HOT,
      ceiling: "bare-fastify",
      expect: { status: 200, appCache: ["L1"] },
    },
    {
      id: "l1-via-nginx",
      title: "app L1 hit through nginx, its cache bypassed (credentials)",
      kind: "scenario",
      url: `${ctx.nginxUrl}${ctx.listPath}`,
      // nginx never answers a request with credentials from its cache; the public read
      // ignores the header, so this is the L1 path plus the proxy hop.
      plan: () => ({ headers: { authorization: "Bearer bench-cache-bypass" } }),
      connections: HOT,
      ceiling: "l1-direct",
      expect: { status: 200, appCache: ["L1"], nginxCache: ["", "BYPASS"] },
    },
    {
      id: "l2-hit",
      title: "app L2 hit (L1 off), direct",
      kind: "scenario",
      url: `${ctx.l2.url}${ctx.listPath}`,
      servedBy: () => ctx.l2.pid,
      connections: HOT,
      ceiling: "bare-fastify",
      expect: { status: 200, appCache: ["L2"] },
    },
    {
      id: "db-miss",
      title: "database miss: product by id, every id once",
      kind: "scenario",
      url: ctx.l1.url,
      servedBy: () => ctx.l1.pid,
      plan: (slot) => ({ paths: uniqueDetailPaths(ctx.products, slot, missPaths) }),
      connections: HOT,
      ceiling: "bare-fastify",
      expect: { status: 200, appCache: ["MISS"] },
    },
    {
      id: "deep-cursor-large",
      title: `list at a cursor 99 % into ${ctx.products.toLocaleString("en")} products (miss)`,
      kind: "scenario",
      url: ctx.l1.url,
      servedBy: () => ctx.l1.pid,
      plan: (slot) => ({ paths: deepCursorPaths(ctx.deepPrice.large, slot, missPaths) }),
      connections: HOT,
      ceiling: "bare-fastify",
      expect: { status: 200, appCache: ["MISS"] },
    },
    {
      id: "deep-cursor-small",
      title: "the same, 99 % into the small catalogue",
      kind: "scenario",
      url: ctx.small.url,
      servedBy: () => ctx.small.pid,
      plan: (slot) => ({ paths: deepCursorPaths(ctx.deepPrice.small, slot, missPaths) }),
      connections: HOT,
      ceiling: "bare-fastify",
      expect: { status: 200, appCache: ["MISS"] },
    },
    {
      id: "login",
      title: "login (argon2id)",
      kind: "scenario",
      url: `${ctx.l1.url}/api/auth/login`,
      servedBy: () => ctx.l1.pid,
      plan: () => ({
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(ctx.harness.admin),
      }),
      connections: LOGIN,
      ceiling: "bare-fastify",
      expect: { status: 200 },
    },
    {
      id: "read-limiter-off",
      title: "product read, rate limiter off",
      kind: "scenario",
      url: `${ctx.unlimited.url}/api/products/${ctx.productIds[0]}`,
      servedBy: () => ctx.unlimited.pid,
      connections: HOT,
      ceiling: "bare-fastify",
      expect: { status: 200, appCache: ["L1", "L2"] },
    },
    {
      id: "read-limiter-on",
      title: "product read, rate limiter on (limit set high)",
      kind: "scenario",
      url: `${ctx.limited.url}/api/products/${ctx.productIds[0]}`,
      servedBy: () => ctx.limited.pid,
      connections: HOT,
      ceiling: "read-limiter-off",
      expect: { status: 200, appCache: ["L1", "L2"] },
    },
    {
      id: "authenticated-read",
      title: "authenticated read (GET /api/users/me)",
      kind: "scenario",
      url: `${ctx.l1.url}/api/users/me`,
      servedBy: () => ctx.l1.pid,
      plan: () => ({ headers: bearer }),
      connections: HOT,
      ceiling: "bare-fastify",
      expect: { status: 200 },
    },
    {
      id: "admin-write",
      title: "admin write (PATCH, invalidates every tier)",
      kind: "scenario",
      url: ctx.l1.url,
      servedBy: () => ctx.l1.pid,
      plan: () => ({
        method: "PATCH",
        headers: { ...bearer, "content-type": "application/json", "if-match": "*" },
        paths: ctx.productIds.map((id) => `/api/products/${id}`),
        bodyTemplate: '{"stock":%d}',
      }),
      connections: LOGIN,
      ceiling: "bare-fastify",
      expect: { status: 200 },
    },
    {
      id: "l1-via-nginx-one",
      title: "app L1 through nginx, one instance",
      kind: "scenario",
      url: `${ctx.nginxUrl}${ctx.listPath}`,
      plan: () => ({ headers: { authorization: "Bearer bench-cache-bypass" } }),
      connections: HOT,
      ceiling: "l1-via-nginx",
      expect: { status: 200, appCache: ["L1"], nginxCache: ["", "BYPASS"] },
      phase: "one-instance",
    },
  ];
}
