import fs from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NGINX_HEADER_BUFFERS } from "@strata/config";
import { upstreamFailures } from "../../src/nginx/error-log.ts";
import { defaultUpstreamPolicy } from "../../src/nginx/upstream-policy.ts";
import type { Stack } from "../../src/stack.ts";
import {
  BYPASS_NGINX_CACHE,
  byInstance,
  describeFailures,
  send,
  startLoad,
} from "../support/load.ts";
import { sampleConnections } from "../support/tcp-connections.ts";
import { startTestStack, type TestStack } from "../support/test-stack.ts";

let test: TestStack;
let stack: Stack;

beforeAll(async () => {
  test = await startTestStack({ instances: 3 });
  stack = test.stack;
}, 240_000);

afterAll(async () => {
  await test?.stop();
}, 60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const get = (path = "/api/products?limit=1") => ({
  method: "GET" as const,
  path,
  headers: BYPASS_NGINX_CACHE,
});
const instancePort = (id: string) =>
  Number(
    stack
      .status()
      .instances.find((i) => i.id === id)!
      .address.split(":")[1],
  );

async function sequential(count: number, path?: string) {
  const outcomes = [];
  for (let i = 0; i < count; i++) outcomes.push(await send(stack.url, get(path)));
  return outcomes;
}

/** Waits until `window` sequential answers in a row come only from `ids`. */
async function untilOnly(ids: string[], window = 12, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcomes = await sequential(window);
    expect(describeFailures(outcomes)).toBe("");
    if (outcomes.every((o) => ids.includes(o.instance ?? ""))) return;
    if (Date.now() > deadline) {
      throw new Error(`traffic still reaches ${JSON.stringify(byInstance(outcomes))}`);
    }
    await sleep(250);
  }
}

describe("nginx in front of three instances", () => {
  it("spreads sequential requests over the primaries by weight (3:3), none to the backup", async () => {
    const outcomes = await sequential(120);
    expect(describeFailures(outcomes)).toBe("");
    const counts = byInstance(outcomes);
    expect(counts["api-3"] ?? 0).toBe(0);
    // Equal weights: each primary gets about half; a loose bound, the machine is noisy.
    expect(counts["api-1"]).toBeGreaterThanOrEqual(40);
    expect(counts["api-2"]).toBeGreaterThanOrEqual(40);
  }, 120_000);

  it("serves its own /health and overwrites X-Forwarded-For and X-Request-Id", async () => {
    const health = await fetch(`${stack.url}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get("x-instance")).toBeNull();
    expect(await health.json()).toMatchObject({ status: "pass" });
    // The instances' metrics and readiness are theirs, not the public address's.
    for (const hidden of ["/metrics", "/ready"]) {
      expect((await fetch(`${stack.url}${hidden}`)).status, hidden).toBe(404);
    }

    const forged = await fetch(`${stack.url}/api/products?limit=1`, {
      headers: { "x-request-id": "forged-by-client", "x-forwarded-for": "203.0.113.9" },
    });
    expect(forged.status).toBe(200);
    const requestId = forged.headers.get("x-request-id");
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(requestId).not.toBe("forged-by-client");
  }, 120_000);

  it("refuses a body over the API's limit at nginx, as problem+json, before any instance", async () => {
    const response = await fetch(`${stack.url}/api/products`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(stack.settings.api.bodyLimitBytes + 1) }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("x-instance")).toBeNull();
    expect(await response.json()).toMatchObject({ status: 413, title: "Content Too Large" });
  }, 120_000);

  it("answers its own errors as problem+json, even to a request line it cannot read", async () => {
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const [host, port] = new URL(stack.url).host.split(":");
        const socket = net.connect(Number(port), host!, () => socket.end(request));
        let answer = "";
        socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
        socket.on("end", () => resolve(answer));
        socket.on("error", reject);
      });
    const cases: [string, number][] = [
      ["GARBAGE\r\n\r\n", 400],
      ["GET /api/products HTTP/1.1\r\n\r\n", 400], // HTTP/1.1 without Host
      [`GET /api/products?q=${"a".repeat(9_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
      [`GET /api/products HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(9_000)}\r\n\r\n`, 431],
      ["GET / HTTP/9.9\r\nHost: x\r\n\r\n", 505],
      ["FOO /api/products HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 501],
      ["GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404],
      // The pages themselves are internal: asked for directly, a 404.
      ["GET /_nginx/errors/502 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404],
    ];
    for (const [request, status] of cases) {
      const answer = await raw(request);
      const [head, body] = answer.split("\r\n\r\n");
      const label = request.slice(0, 40);
      expect(head!.split("\r\n")[0], label).toMatch(new RegExp(`^HTTP/1\\.1 ${status}\\b`));
      expect(head!.toLowerCase(), label).toContain("content-type: application/problem+json");
      expect(head!.toLowerCase(), label).not.toContain("x-instance");
      expect(JSON.parse(body!), label).toMatchObject({ status });
    }
  }, 120_000);

  it("forwards only what an instance can parse, so bad requests never take one out of rotation", async () => {
    const logStart = fs.statSync(stack.errorLog).size;
    // Within nginx's header budget (three lines of nearly one buffer each): the instance
    // must accept it too.
    const padding = Object.fromEntries(
      Array.from({ length: NGINX_HEADER_BUFFERS.count - 1 }, (_, i) => [
        `x-pad-${i}`,
        "a".repeat(NGINX_HEADER_BUFFERS.bytes - 100),
      ]),
    );
    const big = await send(stack.url, { ...get(), headers: { ...BYPASS_NGINX_CACHE, ...padding } });
    expect(big.status).toBe(200);
    expect(big.instance).toMatch(/^api-/);
    // Unknown methods, each followed by ordinary reads that reuse nginx's upstream
    // connections: before nginx refused `FOO` itself, the instance answered and closed the
    // pooled connection, the next read on it failed, and nginx disabled the instance.
    for (let i = 0; i < 10; i++) {
      const foo = await fetch(`${stack.url}/api/products`, { method: "FOO" });
      expect(foo.status).toBe(501);
      expect(foo.headers.get("x-instance")).toBeNull();
      expect(describeFailures(await sequential(4))).toBe("");
    }
    const logged = fs.readFileSync(stack.errorLog, "utf8").slice(logStart);
    expect(upstreamFailures(logged)).toEqual([]);
  }, 120_000);

  it("uses upstream keep-alive: few connections for many requests", async () => {
    const ports = ["api-1", "api-2", "api-3"].map(instancePort);
    const sampler = sampleConnections(ports);
    const load = startLoad({
      baseUrl: stack.url,
      concurrency: 16,
      maxRequests: 1_000,
      next: () => get(),
    });
    const outcomes = await load.finished;
    const { distinct, peak } = sampler.stop();
    expect(describeFailures(outcomes)).toBe("");
    console.log(
      `keep-alive: ${outcomes.length} requests over ${distinct} distinct upstream connections (peak ${peak} open)`,
    );
    expect(outcomes).toHaveLength(1_000);
    // Without keep-alive every request would be a new connection. nginx has 2 workers, each
    // keeping up to 32 idle connections; 16 concurrent requests need at most 16 busy ones.
    expect(distinct).toBeLessThanOrEqual(2 * (defaultUpstreamPolicy.keepaliveConnections + 16));
    expect(distinct * 10).toBeLessThan(outcomes.length);
  }, 120_000);

  it("kill -9 of a primary under GET load fails no GET (nginx retries elsewhere)", async () => {
    const load = startLoad({ baseUrl: stack.url, concurrency: 8, next: () => get() });
    await sleep(1_000);
    stack.killInstance("api-1");
    await sleep(3_000);
    const outcomes = await load.stop();
    expect(describeFailures(outcomes)).toBe("");
    expect(outcomes.length).toBeGreaterThan(20);
    await stack.startInstance("api-1");
  }, 120_000);

  it("with both primaries stopped the backup serves; when they return traffic goes back", async () => {
    await Promise.all([stack.stopInstance("api-1"), stack.stopInstance("api-2")]);
    const duringOutage = await sequential(30);
    expect(describeFailures(duringOutage)).toBe("");
    expect(byInstance(duringOutage)).toEqual({ "api-3": 30 });

    await Promise.all([stack.startInstance("api-1"), stack.startInstance("api-2")]);
    // nginx tries a failed server again after fail_timeout; then the backup is idle again.
    await untilOnly(["api-1", "api-2"], 12, defaultUpstreamPolicy.failTimeoutS * 1000 + 15_000);
  }, 120_000);

  it("shares sessions: a login through one instance works on every other, logout ends it on all", async () => {
    const login = await fetch(`${stack.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: stack.admin.email, password: stack.admin.password }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const loggedInBy = login.headers.get("x-instance");
    const direct = (id: string, path: string, method = "GET") =>
      fetch(`http://127.0.0.1:${instancePort(id)}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });

    for (const id of ["api-1", "api-2", "api-3"]) {
      const me = await direct(id, "/api/users/me");
      expect(me.status, `${id} (login was on ${loggedInBy})`).toBe(200);
      expect(((await me.json()) as { email: string }).email).toBe(stack.admin.email);
    }

    const logoutOn = loggedInBy === "api-2" ? "api-1" : "api-2";
    expect((await direct(logoutOn, "/api/auth/logout", "POST")).status).toBe(204);
    for (const id of ["api-1", "api-2", "api-3"]) {
      expect((await direct(id, "/api/users/me")).status, id).toBe(401);
    }
  }, 120_000);
});
