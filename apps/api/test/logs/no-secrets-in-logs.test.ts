import crypto from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { spawnApi, type ApiProcess } from "../support/api-process.ts";
import { connect } from "../support/factories.ts";
import { call } from "../support/http.ts";
import { startBackends, type TestBackends } from "../support/test-api.ts";

let backends: TestBackends;
let api: ApiProcess;

beforeAll(async () => {
  backends = await startBackends();
  // The real server process at its most talkative: every line it writes is examined.
  api = await spawnApi({
    DATABASE_URL: backends.databaseUrl,
    REDIS_STATE_URL: backends.redisUrl,
    INSTANCE_ID: "log-test",
    LOG_LEVEL: "trace",
    RATE_LIMIT_ENABLED: "false",
    ARGON2_MEMORY_KIB: "8192",
    ARGON2_TIME_COST: "1",
  });
});
afterAll(async () => {
  await api?.stop();
  await backends?.stop();
});

const secret = (label: string) => `${label}-${crypto.randomBytes(12).toString("hex")}`;

test("no password, token, cookie or password hash ever reaches a log line", async () => {
  const email = `${secret("logs")}@example.test`;
  const password = secret("password");
  const wrongPassword = secret("wrong");
  const malformedPassword = secret("malformed");
  const strayPassword = secret("stray");

  expect(
    (await call(api.url, "POST", "/api/auth/register", { body: { email, password } })).status,
  ).toBe(201);
  expect(
    (await call(api.url, "POST", "/api/auth/register", { body: { email, password } })).status,
  ).toBe(409);
  const login = await call(api.url, "POST", "/api/auth/login", { body: { email, password } });
  expect(login.status).toBe(200);
  const token: string = login.body.token;
  const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
  await call(api.url, "POST", "/api/auth/login", { body: { email, password: wrongPassword } });
  await call(api.url, "POST", "/api/auth/login", {
    body: { email: `nobody-${email}`, password: wrongPassword },
  });
  await call(api.url, "POST", "/api/auth/login", {
    raw: `{"email": "${email}", "password": "${malformedPassword}"`,
  });
  await call(api.url, "POST", "/api/auth/login", {
    body: { email, password: strayPassword, passwordConfirmation: strayPassword },
  });
  await call(api.url, "POST", "/api/auth/register", {
    body: { email: "not-an-email", password: strayPassword },
  });
  expect((await call(api.url, "GET", "/api/users/me", { token })).status).toBe(200);
  expect((await call(api.url, "GET", "/api/users/me", { headers: { cookie } })).status).toBe(200);
  expect((await call(api.url, "POST", "/api/auth/logout", { headers: { cookie } })).status).toBe(
    204,
  );
  await call(api.url, "GET", "/api/users/me", { token });

  const db = await connect(backends.databaseUrl);
  const { rows } = await db.query("SELECT password_hash FROM users WHERE email = $1", [email]);
  await db.end();
  const hash: string = rows[0].password_hash;

  // Give the asynchronous logger a moment to flush its last lines.
  await expect.poll(() => api.output().includes("/api/auth/logout"), { timeout: 5000 }).toBe(true);
  const output = api.output();
  const lines = output.split("\n").filter(Boolean);
  expect(lines.length).toBeGreaterThan(10);
  expect(output).toContain('"route":"/api/auth/login"');
  expect(output).toContain("logged in");
  for (const [name, value] of Object.entries({
    password,
    wrongPassword,
    malformedPassword,
    strayPassword,
    token,
    cookie,
    hash,
    hashBody: hash.split("$").at(-1)!,
    tokenHash: crypto.createHash("sha256").update(token).digest("hex"),
  })) {
    expect(output.includes(value), `${name} appears in the log`).toBe(false);
  }
});
