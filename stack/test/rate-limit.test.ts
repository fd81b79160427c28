import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startRedis, type RedisServer } from "@strata/local-servers";
import { loadStackSettings } from "../src/settings.ts";
import { startStack, type Stack } from "../src/stack.ts";

// The rate limits through the real nginx in front of three instances. Clients are told apart
// by the loopback address they connect from (127.0.0.2, 127.0.0.3, ...): nginx sees that
// address and writes it into X-Forwarded-For, as it would for a real client.

let stack: Stack;
let dataDir: string;
/** The state Redis is this file's own, so that it can be frozen. */
let redis: RedisServer;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-rate-limit-"));
  redis = await startRedis({
    dataDir: path.join(dataDir, "own-redis"),
    maxmemoryPolicy: "noeviction",
  });
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ["DATABASE_URL", "REDIS_STATE_URL", "REDIS_CACHE_URL", "S3_ENDPOINT"]) {
    delete env[name];
  }
  Object.assign(env, {
    STRATA_DATA_DIR: dataDir,
    STRATA_PORT: String(await freePort()),
    STRATA_PRODUCTS: "20",
    STRATA_WORKERS: "0",
    LOG_LEVEL: "warn",
    RATE_LIMIT_DEFAULT_MAX: "3",
    REDIS_STATE_URL: redis.url,
    REDIS_COMMAND_TIMEOUT_MS: "200",
  });
  stack = await startStack(loadStackSettings(env, { instances: 3 }));
}, 180_000);

afterAll(async () => {
  await stack?.down();
  await redis?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request from the loopback address `from`, to nginx or straight to an instance. */
function send(
  base: string,
  method: string,
  urlPath: string,
  from: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  const url = new URL(urlPath, base);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        localAddress: from,
        agent: false,
        timeout: 10_000,
        headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
        );
      },
    );
    request.on("timeout", () => request.destroy(new Error("request timed out")));
    request.on("error", reject);
    request.end(body);
  });
}

const login = (from: string, email: string, headers: Record<string, string> = {}) =>
  send(
    stack.url,
    "POST",
    "/api/auth/login",
    from,
    headers,
    JSON.stringify({ email, password: "wrong password" }),
  );
/** Never cached, needs no session, counted by the default policy. */
const logout = (base: string, from: string, headers: Record<string, string> = {}) =>
  send(base, "POST", "/api/auth/logout", from, headers);

const forged = (i: number) => ({
  "x-forwarded-for": `203.0.113.${i + 1}`,
  "x-real-ip": `198.51.100.${i + 1}`,
  forwarded: `for=192.0.2.${i + 1}`,
});

describe("rate limits through nginx", () => {
  it("50 concurrent login attempts from one client: exactly 5 get through", async () => {
    const attempts = await Promise.all(
      Array.from({ length: 50 }, (_, i) => login("127.0.0.2", `nobody${i}@example.test`)),
    );
    expect(attempts.filter((a) => a.status === 401)).toHaveLength(5);
    expect(attempts.filter((a) => a.status === 429)).toHaveLength(45);
    // More than one instance answered: the count is the cluster's, not one process's.
    expect(new Set(attempts.map((a) => a.headers["x-instance"])).size).toBeGreaterThan(1);
    const refused = attempts.find((a) => a.status === 429)!;
    expect(refused.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
    expect(refused.headers["ratelimit-policy"]).toBe(
      '"login-address";q=5;w=60, "login-account";q=5;w=60',
    );
    expect(JSON.parse(refused.body)).toMatchObject({
      status: 429,
      "violated-policies": ["login-address"],
    });
  }, 60_000);

  it("forged X-Forwarded-For, X-Real-IP and Forwarded through nginx do not change the key", async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await logout(stack.url, "127.0.0.3", forged(i))).status);
    expect(statuses).toEqual([204, 204, 204, 429, 429]);
  });

  it("two clients on different addresses have a bucket each", async () => {
    const a = [];
    const b = [];
    for (let i = 0; i < 3; i++) a.push((await logout(stack.url, "127.0.0.4")).status);
    for (let i = 0; i < 3; i++) b.push((await logout(stack.url, "127.0.0.5")).status);
    expect(a).toEqual([204, 204, 204]);
    expect(b).toEqual([204, 204, 204]);
    expect((await logout(stack.url, "127.0.0.4")).status).toBe(429);
  });

  it("forged headers sent straight to an instance do not change the key either", async () => {
    // 127.0.0.6 is not the trusted proxy (127.0.0.1): its X-Forwarded-For is ignored.
    const instance = `http://${stack.status().instances[0]!.address}`;
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await logout(instance, "127.0.0.6", forged(i))).status);
    expect(statuses).toEqual([204, 204, 204, 429, 429]);
  });

  it("Redis frozen: login fails closed, other routes are still answered, recovery after SIGCONT", async () => {
    const pid = redis.process.pid;
    process.kill(pid, "SIGSTOP");
    try {
      for (let i = 0; i < 4; i++) {
        const refused = await login("127.0.0.7", `frozen${i}@example.test`);
        expect(refused.status).toBe(503);
        expect(refused.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
      }
      // Failing closed must not take the instances out of nginx's rotation.
      const others = [];
      for (let i = 0; i < 3; i++) others.push((await logout(stack.url, `127.0.0.${8 + i}`)).status);
      expect(others).toEqual([204, 204, 204]);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    let status = 0;
    for (let i = 0; i < 100 && status !== 401; i++) {
      status = (await login(`127.0.1.${i + 1}`, "after@example.test")).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(401);
  }, 60_000);
});
