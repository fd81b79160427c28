import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBackends, type TestBackends } from "../support/test-api.ts";
import { startInstances, type Instance } from "./support/instances.ts";
import { parseLimitField, remainingOf } from "./support/rate-limit-headers.ts";
import { insertUser } from "./support/users.ts";

const PASSWORD = "a long and correct passphrase";
let backends: TestBackends;
let instances: Instance[];

beforeAll(async () => {
  backends = await startBackends();
  // Three instances behind "nginx" (127.0.0.1, trusted): X-Forwarded-For is each client.
  instances = await startInstances(backends, 3, { TRUSTED_PROXIES: "127.0.0.1" }, () => {});
  await Promise.all(
    ["alice", "bob", "carol"].map((n) =>
      insertUser(backends.databaseUrl, `${n}@example.test`, PASSWORD),
    ),
  );
}, 60_000);

afterAll(async () => {
  await Promise.allSettled((instances ?? []).map((i) => i.app.close()));
  await backends?.stop();
});

let turn = 0;
/** A login attempt from `client`, sent to the next instance in turn. */
async function login(client: string, email: string, password = "wrong password") {
  const instance = instances[turn++ % instances.length]!;
  const response = await fetch(`${instance.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": client },
    body: JSON.stringify({ email, password }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, headers: response.headers, body };
}

describe("login: 5 per minute per client address and per account, exact across instances", () => {
  it("50 concurrent attempts from one client over three instances: exactly 5 get through", async () => {
    const client = "198.51.100.50";
    const attempts = await Promise.all(
      Array.from({ length: 50 }, (_, i) => login(client, `nobody${i}@example.test`)),
    );
    const statuses = attempts.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(45);
    expect(new Set(attempts.map((a) => a.headers.get("x-instance"))).size).toBe(3);
    for (const refused of attempts.filter((a) => a.status === 429)) {
      expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.body).toMatchObject({
        type: "https://iana.org/assignments/http-problem-types#quota-exceeded",
        status: 429,
        title: "Too Many Requests",
        "violated-policies": ["login-address"],
      });
      expect(remainingOf(refused.headers.get("ratelimit"), "login-address")).toBe(0);
    }
    for (const passed of attempts.filter((a) => a.status === 401)) {
      expect(parseLimitField(passed.headers.get("ratelimit-policy"))).toEqual([
        { name: "login-address", params: { q: 5, w: 60 } },
        { name: "login-account", params: { q: 5, w: 60 } },
      ]);
    }
  });

  it("many addresses against one account: 5 attempts, however the email is spelled", async () => {
    const spellings = ["alice@example.test", "ALICE@example.test", "  Alice@Example.Test "];
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login(`203.0.113.${i + 1}`, spellings[i % 3]!)),
    );
    expect(attempts.filter((a) => a.status === 401)).toHaveLength(5);
    const refused = attempts.filter((a) => a.status === 429);
    expect(refused).toHaveLength(7);
    for (const r of refused) expect(r.body["violated-policies"]).toEqual(["login-account"]);
    // The documented price of a per-account limit: the owner waits out the window too.
    expect((await login("203.0.113.99", "alice@example.test", PASSWORD)).status).toBe(429);
  });

  it("a successful login counts, and does not reset the address's count of other failures", async () => {
    const client = "198.51.100.60";
    const success = await login(client, "bob@example.test", PASSWORD);
    expect(success.status).toBe(200);
    expect(remainingOf(success.headers.get("ratelimit"), "login-address")).toBe(4);
    for (const victim of ["v1", "v2", "v3", "v4"]) {
      expect((await login(client, `${victim}@example.test`)).status).toBe(401);
    }
    const again = await login(client, "bob@example.test", PASSWORD);
    expect(again.status).toBe(429);
    expect(again.body["violated-policies"]).toEqual(["login-address"]);
  });

  it("an attempt refused for its address uses none of the account's quota", async () => {
    const client = "198.51.100.70";
    for (let i = 0; i < 5; i++)
      expect((await login(client, `x${i}@example.test`)).status).toBe(401);
    for (let i = 0; i < 3; i++)
      expect((await login(client, "carol@example.test")).status).toBe(429);
    const fromElsewhere = await login("198.51.100.71", "carol@example.test", PASSWORD);
    expect(fromElsewhere.status).toBe(200);
    expect(remainingOf(fromElsewhere.headers.get("ratelimit"), "login-account")).toBe(4);
  });
});
