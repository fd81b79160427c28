import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBackends, type TestBackends } from "../support/test-api.ts";
import { startInstances, type Instance } from "./support/instances.ts";
import { parseLimitField } from "./support/rate-limit-headers.ts";
import { insertUser } from "./support/users.ts";

const PASSWORD = "a long and correct passphrase";
let backends: TestBackends;
let instances: Instance[];
const tokens: Record<string, string> = {};

beforeAll(async () => {
  backends = await startBackends();
  instances = await startInstances(
    backends,
    2,
    { TRUSTED_PROXIES: "127.0.0.1", RATE_LIMIT_USERS_MAX: "3", RATE_LIMIT_DEFAULT_MAX: "2" },
    () => {},
  );
  let n = 0;
  for (const [name, role] of [
    ["admin1", "admin"],
    ["admin2", "admin"],
    ["cust", "customer"],
  ] as const) {
    await insertUser(backends.databaseUrl, `${name}@example.test`, PASSWORD, role);
    const response = await fetch(`${instances[0]!.url}/api/auth/login`, {
      method: "POST",
      // A login address of its own for each, so logging in does not touch the tested limits.
      headers: { "content-type": "application/json", "x-forwarded-for": `192.0.2.${++n}` },
      body: JSON.stringify({ email: `${name}@example.test`, password: PASSWORD }),
    });
    expect(response.status).toBe(200);
    tokens[name] = ((await response.json()) as { token: string }).token;
  }
}, 60_000);

afterAll(async () => {
  await Promise.allSettled((instances ?? []).map((i) => i.app.close()));
  await backends?.stop();
});

let turn = 0;
function get(path: string, user: string, client: string): Promise<Response> {
  const instance = instances[turn++ % instances.length]!;
  return fetch(`${instance.url}${path}`, {
    headers: { authorization: `Bearer ${tokens[user]}`, "x-forwarded-for": client },
  });
}

describe("per-user limits run after authentication", () => {
  it("the users list: 3 per window per admin (set by env), whatever address it comes from", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await get("/api/users", "admin1", `198.51.100.${i + 1}`);
      statuses.push(response.status);
      expect(parseLimitField(response.headers.get("ratelimit-policy"))).toEqual([
        { name: "users-list", params: { q: 3, w: 60 } },
      ]);
      if (response.status === 429) {
        expect(await response.json()).toMatchObject({ "violated-policies": ["users-list"] });
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    // Another admin behind the same address has a bucket of its own.
    expect((await get("/api/users", "admin2", "198.51.100.1")).status).toBe(200);
  });

  it("other routes count a signed-in user by id, not by address", async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await get("/api/users/me", "cust", `203.0.113.${i}`)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("a request refused by authentication or authorisation is not counted", async () => {
    const anonymous = await fetch(`${instances[0]!.url}/api/users`, {
      headers: { "x-forwarded-for": "198.51.100.200" },
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("ratelimit")).toBeNull();
    const customer = await get("/api/users", "cust", "198.51.100.201");
    expect(customer.status).toBe(403);
    expect(customer.headers.get("ratelimit")).toBeNull();
  });
});
