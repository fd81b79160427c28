import { describe, expect, test } from "vitest";
import { createUser, PASSWORD, unique } from "../../support/factories.ts";
import { call, expectProblem } from "../../support/http.ts";
import { TEST_ENV, useApi } from "../../support/suite.ts";
import { startTestApi } from "../../support/test-api.ts";

const s = useApi();

const register = (email: string, password = PASSWORD) =>
  call(s.api.url, "POST", "/api/auth/register", { body: { email, password } });
const login = (email: string, password = PASSWORD, headers: Record<string, string> = {}) =>
  call(s.api.url, "POST", "/api/auth/login", { body: { email, password }, headers });
const me = (headers: Record<string, string>) =>
  call(s.api.url, "GET", "/api/users/me", { headers });

/** The session cookie of a response, as `name=value`, and its attributes. */
function sessionCookie(response: { headers: Headers }) {
  const header = response.headers.getSetCookie().find((c) => c.startsWith("strata_session="));
  expect(header, "a session cookie").toBeDefined();
  const [pair, ...attributes] = header!.split(";").map((p) => p.trim());
  return { pair: pair!, value: pair!.split("=")[1]!, attributes };
}

describe("POST /api/auth/register", () => {
  test("creates a customer: 201 with the user, email normalised, argon2id hash stored", async () => {
    const local = unique("new");
    const response = await register(`  ${local.toUpperCase()}@Example.TEST `);
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.body).toEqual({
      id: expect.any(Number),
      email: `${local.toLowerCase()}@example.test`,
      role: "customer",
      createdAt: expect.any(String),
    });
    const { rows } = await s.db.query("SELECT password_hash, role FROM users WHERE id = $1", [
      response.body.id,
    ]);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
    expect(rows[0].role).toBe("customer");
  });

  test("an email taken in any case is a 409", async () => {
    const email = `${unique("dup")}@example.test`;
    expect((await register(email)).status).toBe(201);
    expectProblem(await register(email.toUpperCase()), 409);
    expectProblem(await register(` ${email} `), 409);
  });

  test("nobody registers as an admin", async () => {
    const response = await call(s.api.url, "POST", "/api/auth/register", {
      body: { email: `${unique("sneaky")}@example.test`, password: PASSWORD, role: "admin" },
    });
    expectProblem(response, 400);
    expect(response.body.errors[0].field).toBe("body.role");
  });

  test("password policy: 12..128 characters", async () => {
    const tooShort = await register(`${unique("p")}@example.test`, "x".repeat(11));
    expectProblem(tooShort, 400);
    expect(tooShort.body.errors[0]).toEqual({
      field: "body.password",
      message: "must be at least 12 characters",
    });
    expectProblem(await register(`${unique("p")}@example.test`, "x".repeat(129)), 400);
    expect((await register(`${unique("p")}@example.test`, "x".repeat(12))).status).toBe(201);
    expect((await register(`${unique("p")}@example.test`, "é".repeat(128))).status).toBe(201);
  });

  test.each(["not-an-email", "a@", "@b.test", "a b@c.test", `${"x".repeat(250)}@b.test`, ""])(
    "email %j is a 400 naming body.email",
    async (email) => {
      const response = await register(email);
      expectProblem(response, 400);
      expect(response.body.errors[0].field).toBe("body.email");
    },
  );
});

describe("POST /api/auth/login", () => {
  test("returns the session and sets an HttpOnly SameSite=Lax cookie for its lifetime", async () => {
    const user = await createUser(s.db, s.api);
    const response = await login(` ${user.email.toUpperCase()} `);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.body).toEqual({
      user: { id: user.id, email: user.email, role: "customer", createdAt: expect.any(String) },
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
    });
    const ttl = s.api.config.session.ttlSeconds;
    const expires = Date.parse(response.body.expiresAt);
    expect(Math.abs(expires - (Date.now() + ttl * 1000))).toBeLessThan(60_000);
    const cookie = sessionCookie(response);
    expect(cookie.value).toBe(response.body.token);
    expect(cookie.attributes).toEqual(
      expect.arrayContaining(["HttpOnly", "SameSite=Lax", "Path=/", `Max-Age=${ttl}`]),
    );
    expect(cookie.attributes).not.toContain("Secure");
  });

  test("the cookie is Secure when SESSION_COOKIE_SECURE is set", async () => {
    const secure = await startTestApi(s.backends, { ...TEST_ENV, SESSION_COOKIE_SECURE: "true" });
    try {
      const user = await createUser(s.db, s.api);
      const response = await call(secure.url, "POST", "/api/auth/login", {
        body: { email: user.email, password: PASSWORD },
      });
      expect(sessionCookie(response).attributes).toContain("Secure");
    } finally {
      await secure.close();
    }
  });

  test("the cookie and the Bearer token both authenticate", async () => {
    const user = await createUser(s.db, s.api);
    const { body, headers } = await login(user.email);
    const byCookie = await me({ cookie: sessionCookie({ headers }).pair });
    expect(byCookie.status).toBe(200);
    expect(byCookie.body.id).toBe(user.id);
    const byBearer = await me({ authorization: `Bearer ${body.token}` });
    expect(byBearer.body.id).toBe(user.id);
  });

  test("wrong password and unknown email: the same 401", async () => {
    const user = await createUser(s.db, s.api);
    const wrong = await login(user.email, "not the password at all");
    const unknown = await login(`${unique("ghost")}@example.test`, PASSWORD);
    expectProblem(wrong, 401);
    expectProblem(unknown, 401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers.get("set-cookie")).toBeNull();
  });

  test("an unknown email costs a password hash too (loose bound; the machine is noisy)", async () => {
    const user = await createUser(s.db, s.api);
    const median = async (email: string) => {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const started = performance.now();
        await login(email, "not the password at all");
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[3]!;
    };
    const wrongPassword = await median(user.email);
    const unknownEmail = await median(`${unique("ghost")}@example.test`);
    // Without the dummy verification an unknown email answers ~10x faster; this only
    // catches that, not small differences.
    expect(unknownEmail).toBeGreaterThan(wrongPassword * 0.25);
  });

  test("every login issues a new token and ends the session it was sent with", async () => {
    const user = await createUser(s.db, s.api);
    const first = (await login(user.email)).body.token;
    const second = await login(user.email, PASSWORD, { authorization: `Bearer ${first}` });
    expect(second.body.token).not.toBe(first);
    expectProblem(await me({ authorization: `Bearer ${first}` }), 401);
    expect((await me({ authorization: `Bearer ${second.body.token}` })).status).toBe(200);
  });

  test("argon2 runs one computation at a time per ARGON2_CONCURRENCY; a full line is a 503 with Retry-After", async () => {
    // A hash that takes a few hundred milliseconds to check (its parameters travel in it), so
    // all six requests arrive while the first is still computing, however loaded the machine:
    // with the suite's cheap hash, six requests spread over a few milliseconds found the line
    // free each time and none was refused.
    const narrow = await startTestApi(s.backends, {
      ...TEST_ENV,
      ARGON2_MEMORY_KIB: String(64 * 1024),
      ARGON2_TIME_COST: "20",
      ARGON2_CONCURRENCY: "1",
      ARGON2_MAX_WAITING: "1",
    });
    try {
      const user = await createUser(s.db, narrow);
      const burst = await Promise.all(
        Array.from({ length: 6 }, () =>
          call(narrow.url, "POST", "/api/auth/login", {
            body: { email: user.email, password: PASSWORD },
          }),
        ),
      );
      const statuses = burst.map((r) => r.status);
      // One computing, one waiting: the four that found the line full were refused at once.
      expect(statuses.filter((status) => status === 200)).toHaveLength(2);
      expect(statuses.filter((status) => status === 503)).toHaveLength(4);
      for (const refused of burst.filter((r) => r.status === 503)) {
        expectProblem(refused, 503);
        expect(refused.headers.get("retry-after")).toBe("1");
      }
      const after = await call(narrow.url, "POST", "/api/auth/login", {
        body: { email: user.email, password: PASSWORD },
      });
      expect(after.status).toBe(200);
    } finally {
      await narrow.close();
    }
  });

  test("a password over 128 characters is a 400, not an expensive hash", async () => {
    const user = await createUser(s.db, s.api);
    const response = await login(user.email, "x".repeat(129));
    expectProblem(response, 400);
    expect(response.body.errors[0].field).toBe("body.password");
  });
});

describe("POST /api/auth/logout", () => {
  test("ends the session, clears the cookie, and is idempotent", async () => {
    const user = await createUser(s.db, s.api);
    const { body } = await login(user.email);
    const auth = { authorization: `Bearer ${body.token}` };
    const response = await call(s.api.url, "POST", "/api/auth/logout", { headers: auth });
    expect(response.status).toBe(204);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const cleared = sessionCookie(response);
    expect(cleared.value).toBe("");
    expect(cleared.attributes.join(";")).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/);
    expectProblem(await me(auth), 401);
    expect((await call(s.api.url, "POST", "/api/auth/logout", { headers: auth })).status).toBe(204);
    expect((await call(s.api.url, "POST", "/api/auth/logout")).status).toBe(204);
  });
});

describe("state-changing routes take JSON only (the CSRF defence)", () => {
  test.each([
    ["text/plain", '{"email":"a@b.test","password":"correct horse battery"}'],
    ["application/x-www-form-urlencoded", "email=a%40b.test&password=x"],
    ["multipart/form-data; boundary=x", "--x\r\n\r\n--x--"],
  ])("%s is a 415", async (contentType, raw) => {
    for (const path of ["/api/auth/login", "/api/auth/register", "/api/auth/logout"]) {
      const response = await call(s.api.url, "POST", path, {
        raw,
        headers: { "content-type": contentType },
      });
      expectProblem(response, 415);
    }
  });
});
