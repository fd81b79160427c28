import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestDatabase } from "../../../../test/support/database.ts";
import { startTestRedis } from "../../../../test/support/redis.ts";
import { hashSessionToken } from "../../src/services/sessions/session-token.ts";
import { sessionKey } from "../../src/services/sessions/session-store.ts";
import { connect, createUser, login, loggedIn, PASSWORD } from "../support/factories.ts";
import { call, expectProblem } from "../support/http.ts";
import { TEST_ENV, useApi } from "../support/suite.ts";
import { startTestApi, type TestApi } from "../support/test-api.ts";

const s = useApi({ INSTANCE_ID: "instance-a" });
let b: TestApi;

beforeAll(async () => {
  b = await startTestApi(s.backends, { ...TEST_ENV, INSTANCE_ID: "instance-b" });
});
afterAll(async () => {
  await b?.close();
});

const me = (url: string, token: string) =>
  call(url, "GET", "/api/users/me", { headers: { authorization: `Bearer ${token}` } });

describe("stateless sessions in the shared Redis", () => {
  test("two instances accept each other's sessions", async () => {
    const user = await createUser(s.db, s.api);
    const onA = await login(s.api, user.email);
    const fromB = await me(b.url, onA);
    expect(fromB.status).toBe(200);
    expect(fromB.headers.get("x-instance")).toBe("instance-b");
    expect(fromB.body.id).toBe(user.id);
    const onB = await login(b, user.email);
    expect((await me(s.api.url, onB)).body.id).toBe(user.id);
  });

  test("logout on one instance is rejected at once by the other", async () => {
    const user = await loggedIn(s.db, s.api);
    expect((await me(b.url, user.token)).status).toBe(200);
    const out = await call(s.api.url, "POST", "/api/auth/logout", { token: user.token });
    expect(out.status).toBe(204);
    expectProblem(await me(b.url, user.token), 401);
    expectProblem(await me(s.api.url, user.token), 401);
  });

  test("Redis holds sha256(token) -> {userId, role, createdAt} with the session TTL", async () => {
    const user = await loggedIn(s.db, s.api, "admin");
    const redis = s.api.app.redis.state;
    const keys = await redis.keys("session:*");
    expect(keys.some((k) => k.includes(user.token))).toBe(false);
    const key = `session:${hashSessionToken(user.token)}`;
    expect(key).toBe(sessionKey(user.token));
    const stored = JSON.parse((await redis.get(key))!);
    expect(stored).toEqual({ userId: user.id, role: "admin", createdAt: expect.any(String) });
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(s.api.config.session.ttlSeconds - 60);
    expect(ttl).toBeLessThanOrEqual(s.api.config.session.ttlSeconds);
    const values = await Promise.all(keys.map((k) => redis.get(k)));
    expect(values.join("")).not.toContain(user.token);
  });

  test("an expired session is rejected", async () => {
    const user = await loggedIn(s.db, s.api);
    const key = sessionKey(user.token);
    await s.api.app.redis.state.pexpire(key, 1);
    for (let i = 0; i < 100 && (await s.api.app.redis.state.exists(key)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expectProblem(await me(s.api.url, user.token), 401);
    expectProblem(await me(b.url, user.token), 401);
  });

  test("a session whose account was deleted is rejected and removed", async () => {
    const user = await loggedIn(s.db, s.api);
    await s.db.query("DELETE FROM users WHERE id = $1", [user.id]);
    expectProblem(await me(s.api.url, user.token), 401);
    expect(await s.api.app.redis.state.exists(sessionKey(user.token))).toBe(0);
  });

  test.each([
    ["no header", {}],
    ["Basic auth", { authorization: "Basic dXNlcjpwYXNz" }],
    ["Bearer without token", { authorization: "Bearer" }],
    ["a token of the wrong shape", { authorization: "Bearer abc" }],
    ["an unknown token", { authorization: `Bearer ${"A".repeat(43)}` }],
    ["an injection in the token", { authorization: "Bearer ' OR 1=1 --" }],
    ["a forged cookie", { cookie: `strata_session=${"B".repeat(43)}` }],
    ["a garbage cookie", { cookie: "strata_session=%00%ff; other=1" }],
  ])("%s is a 401", async (_name, headers) => {
    const response = await call(s.api.url, "GET", "/api/users/me", { headers });
    expectProblem(response, 401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  test("private responses are never cacheable", async () => {
    const user = await loggedIn(s.db, s.api);
    const response = await me(s.api.url, user.token);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const login = await call(s.api.url, "POST", "/api/auth/login", {
      body: { email: user.email, password: PASSWORD },
    });
    expect(login.headers.get("set-cookie")).toBeTruthy();
    expect(login.headers.get("cache-control")).toBe("private, no-store");
  });
});

describe("when the state Redis is down", () => {
  let api: TestApi;
  let redis: Awaited<ReturnType<typeof startTestRedis>>;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let token: string;
  let email: string;

  beforeAll(async () => {
    [database, redis] = await Promise.all([createTestDatabase(), startTestRedis()]);
    const backends = { databaseUrl: database.url, redisUrl: redis.url, stop: async () => {} };
    api = await startTestApi(backends, { ...TEST_ENV, REDIS_COMMAND_TIMEOUT_MS: "200" });
    const db = await connect(database.url);
    try {
      email = (await createUser(db, api)).email;
    } finally {
      await db.end();
    }
    token = await login(api, email);
    await redis.stop();
  });
  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  test("session routes answer 503 problems, quickly, instead of 500s or hanging", async () => {
    const started = Date.now();
    const meResponse = await me(api.url, token);
    expectProblem(meResponse, 503);
    expect(meResponse.headers.get("retry-after")).toBeTruthy();
    expectProblem(
      await call(api.url, "POST", "/api/auth/login", { body: { email, password: PASSWORD } }),
      503,
    );
    expectProblem(await call(api.url, "POST", "/api/auth/logout", { token }), 503);
    expectProblem(
      await call(api.url, "POST", "/api/products", {
        token,
        body: { name: "x", priceCents: 1, categoryId: 1 },
      }),
      503,
    );
    // Generous: it only has to be far from a hang (the request timeout is 30 s).
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test("public catalogue reads keep working", async () => {
    const response = await call(api.url, "GET", "/api/products");
    expect(response.status).toBe(200);
    expect((await call(api.url, "GET", "/api/categories")).status).toBe(200);
  });
});
