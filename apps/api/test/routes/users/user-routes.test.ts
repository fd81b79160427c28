import { beforeAll, describe, expect, test } from "vitest";
import { encodeCursor } from "../../../src/services/pagination/keyset-cursor.ts";
import { createUser, loggedIn } from "../../support/factories.ts";
import { call, expectProblem } from "../../support/http.ts";
import { useApi } from "../../support/suite.ts";

const s = useApi();
let admin: { id: number; token: string };
let customer: { id: number; email: string; token: string };

beforeAll(async () => {
  admin = await loggedIn(s.db, s.api, "admin");
  customer = await loggedIn(s.db, s.api);
  for (let i = 0; i < 9; i++) await createUser(s.db, s.api);
});

describe("GET /api/users/me", () => {
  test("the session's user, private", async () => {
    const response = await call(s.api.url, "GET", "/api/users/me", { token: customer.token });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.body).toEqual({
      id: customer.id,
      email: customer.email,
      role: "customer",
      createdAt: expect.any(String),
    });
  });

  test("401 without a session", async () => {
    expectProblem(await call(s.api.url, "GET", "/api/users/me"), 401);
  });
});

describe("GET /api/users", () => {
  test("admins page through every user by id, never seeing a password hash", async () => {
    const { rows } = await s.db.query<{ id: number }>("SELECT id::int FROM users ORDER BY id");
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const query = cursor ? `?limit=3&cursor=${cursor}` : "?limit=3";
      const response = await call(s.api.url, "GET", `/api/users${query}`, { token: admin.token });
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("private, no-store");
      for (const user of response.body.items) {
        expect(Object.keys(user).sort()).toEqual(["createdAt", "email", "id", "role"]);
        seen.push(user.id);
      }
      expect(JSON.stringify(response.body)).not.toMatch(/argon2|password/i);
      cursor = response.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(rows.map((r) => r.id));
  });

  test("customers get a 403, anonymous callers a 401", async () => {
    expectProblem(await call(s.api.url, "GET", "/api/users", { token: customer.token }), 403);
    expectProblem(await call(s.api.url, "GET", "/api/users"), 401);
  });

  test.each([
    "limit=0",
    "limit=101",
    "cursor=%27%20OR%201%3D1%20--",
    `cursor=${encodeCursor({ v: 1, i: "1 OR 1=1" })}`,
    `cursor=${encodeCursor({ v: 1, s: "price", k: 1, i: 1 })}`,
    "role=admin",
  ])("%s is a 400", async (query) => {
    expectProblem(await call(s.api.url, "GET", `/api/users?${query}`, { token: admin.token }), 400);
  });
});
