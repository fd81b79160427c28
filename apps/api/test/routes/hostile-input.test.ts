import { beforeAll, describe, expect, test } from "vitest";
import { createCategory, createProducts, loggedIn } from "../support/factories.ts";
import { call, expectProblem, type Reply } from "../support/http.ts";
import { useApi } from "../support/suite.ts";
import { tablesChecksum } from "../support/table-checksum.ts";

const BODY_LIMIT = 16_384;
const s = useApi({ BODY_LIMIT_BYTES: String(BODY_LIMIT) });

/** Strings that have broken APIs: SQL, NUL, huge, odd Unicode, template and path tricks. */
const HOSTILE = [
  "' OR 1=1 --",
  '"; DROP TABLE products; --',
  "1; SELECT pg_sleep(10)",
  "%00",
  "a\u0000b",
  "\ud800",
  "x".repeat(10_000),
  "😀🚀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 עברית e\u0301",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "${jndi:ldap://x}",
  "\\",
  "%_",
  "[]",
  "{}",
  "null",
];

let admin: { token: string };
let productId: number;

beforeAll(async () => {
  const category = await createCategory(s.db);
  productId = (await createProducts(s.db, [{ categoryId: category.id, name: "Target" }]))[0]!;
  admin = await loggedIn(s.db, s.api, "admin");
});

/** Percent-encodes; a lone surrogate (not encodable) becomes its invalid UTF-8 bytes. */
function urlEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return "%ED%A0%80";
  }
}

function expectClientError(response: Reply, context: string) {
  expect(response.status, `${context}: ${JSON.stringify(response.body)}`).toBeGreaterThanOrEqual(
    400,
  );
  expect(response.status, context).toBeLessThan(500);
  expect(response.headers.get("content-type"), context).toMatch(/^application\/problem\+json/);
}

describe("hostile input never reaches a 500 and never changes stored data", () => {
  test("in query strings, paths, headers and bodies of every endpoint", async () => {
    const before = await tablesChecksum(s.db);
    const auth = admin.token;
    for (const value of HOSTILE) {
      const q = urlEncode(value);
      const context = JSON.stringify(value.slice(0, 40));
      // A search for the text is legitimate: 200 (or 400 when it is not valid text).
      const search = await call(s.api.url, "GET", `/api/products?q=${q}`);
      if (search.status !== 200) expectClientError(search, `q=${context}`);
      for (const param of ["category", "sort", "cursor", "limit"]) {
        const response = await call(s.api.url, "GET", `/api/products?${param}=${q}`);
        // A string that happens to be a well-formed slug ("null") filters to nothing.
        if (param === "category" && response.status === 200) {
          expect(response.body.items).toEqual([]);
          continue;
        }
        expectClientError(response, `${param}=${context}`);
      }
      expectClientError(
        await call(s.api.url, "GET", `/api/users?cursor=${q}`, { token: auth }),
        `users cursor=${context}`,
      );
      for (const method of ["GET", "PATCH", "DELETE"]) {
        const response = await call(s.api.url, method, `/api/products/${q}`, {
          token: auth,
          ...(method === "PATCH" ? { body: { stock: 1, version: 1 } } : {}),
        });
        expectClientError(response, `${method} /api/products/${context}`);
      }
      const login = await call(s.api.url, "POST", "/api/auth/login", {
        body: { email: value, password: value },
      });
      expectClientError(login, `login ${context}`);
      const register = await call(s.api.url, "POST", "/api/auth/register", {
        body: { email: value, password: value },
      });
      expectClientError(register, `register ${context}`);
      for (const body of [
        { name: "ok", priceCents: value, categoryId: 1 },
        { name: "ok", priceCents: 1, categoryId: value },
        { name: "ok", priceCents: 1, categoryId: 1, [value]: 1 },
      ]) {
        expectClientError(
          await call(s.api.url, "POST", "/api/products", { token: auth, body }),
          `create ${context}`,
        );
      }
      const patch = await call(s.api.url, "PATCH", `/api/products/${productId}`, {
        token: auth,
        headers: { "if-match": value.replace(/[^\x20-\x7e]/g, "?") },
        body: { stock: 1 },
      });
      // A quoted string that is no version is a valid If-Match that matches nothing: 412.
      expectClientError(patch, `if-match ${context}`);
      const badKey = await call(s.api.url, "POST", "/api/products", {
        token: auth,
        // A space inside makes any value a malformed key (fetch trims the ends).
        headers: { "idempotency-key": `bad ${value.replace(/[^\x20-\x7e]/g, "?").slice(0, 300)}` },
        body: { name: "never", priceCents: 1, categoryId: 1 },
      });
      expectClientError(badKey, `idempotency-key ${context}`);
    }
    expect(await tablesChecksum(s.db)).toBe(before);
  });

  test("hostile strings that are legitimate product text are stored exactly", async () => {
    const category = await createCategory(s.db);
    for (const value of HOSTILE) {
      const response = await call(s.api.url, "POST", "/api/products", {
        token: admin.token,
        body: {
          name: value.slice(0, 200),
          description: value,
          priceCents: 1,
          categoryId: category.id,
        },
      });
      // eslint-disable-next-line no-control-regex -- the values the API refuses
      if (/[\u0000-\u001f]|\p{Cs}/u.test(value)) {
        expectClientError(response, JSON.stringify(value));
        continue;
      }
      expect(response.status, JSON.stringify(value.slice(0, 40))).toBe(201);
      const { rows } = await s.db.query("SELECT name, description FROM products WHERE id = $1", [
        response.body.id,
      ]);
      expect(rows[0]).toEqual({ name: value.slice(0, 200), description: value });
      const found = await call(s.api.url, "GET", `/api/products/${response.body.id}`);
      expect(found.body.description).toBe(value);
    }
  });

  describe("malformed bodies on every JSON route", () => {
    const routes = (): [string, string][] => [
      ["POST", "/api/auth/register"],
      ["POST", "/api/auth/login"],
      ["POST", "/api/products"],
      ["PATCH", `/api/products/${productId}`],
    ];

    test("malformed JSON is a 400 problem", async () => {
      const before = await tablesChecksum(s.db);
      for (const [method, path] of routes()) {
        for (const raw of ["{", '{"email": }', "[1,2", "{'a': 1}", "\u0000", "nul"]) {
          const response = await call(s.api.url, method, path, { token: admin.token, raw });
          expectProblem(response, 400);
        }
      }
      expect(await tablesChecksum(s.db)).toBe(before);
    });

    test("wrong types and non-objects are 400s naming the field", async () => {
      for (const [method, path] of routes()) {
        for (const raw of ["[]", '"string"', "42", "null", "true"]) {
          expectProblem(await call(s.api.url, method, path, { token: admin.token, raw }), 400);
        }
      }
      const wrongTypes = await call(s.api.url, "POST", "/api/auth/register", {
        body: { email: 42, password: ["x"] },
      });
      expectProblem(wrongTypes, 400);
      expect(wrongTypes.body.errors.map((e: { field: string }) => e.field)).toEqual([
        "body.email",
        "body.password",
      ]);
    });

    test("unknown fields are 400s naming them", async () => {
      const response = await call(s.api.url, "POST", "/api/auth/login", {
        body: { email: "a@b.test", password: "x", isAdmin: true },
      });
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([
        { field: "body.isAdmin", message: "is not a known field" },
      ]);
      const patch = await call(s.api.url, "PATCH", `/api/products/${productId}`, {
        token: admin.token,
        body: { version: 1, price_cents: 0 },
      });
      expectProblem(patch, 400);
      expect(patch.body.errors[0].field).toBe("body.price_cents");
      const several = await call(s.api.url, "POST", "/api/auth/register", {
        body: { email: "a@b.test", password: "x".repeat(12), role: "admin", verified: true },
      });
      expect(several.body.errors.map((e: { field: string }) => e.field)).toEqual([
        "body.role",
        "body.verified",
      ]);
    });

    test(`a body over BODY_LIMIT_BYTES (${BODY_LIMIT}) is a 413 problem`, async () => {
      const before = await tablesChecksum(s.db);
      const huge = JSON.stringify({ email: "a@b.test", password: "x".repeat(BODY_LIMIT) });
      for (const [method, path] of routes()) {
        const response = await call(s.api.url, method, path, { token: admin.token, raw: huge });
        expectProblem(response, 413);
      }
      expect(await tablesChecksum(s.db)).toBe(before);
    });

    test("bytes that are not UTF-8 are a 400, and nothing is stored", async () => {
      const before = await tablesChecksum(s.db);
      // Latin-1 "café", a lone continuation byte, an overlong "/" and a UTF-16 BOM.
      for (const bad of [[0xe9], [0x80], [0xc0, 0xaf], [0xff, 0xfe]]) {
        const body = Buffer.concat([
          Buffer.from('{"name":"caf'),
          Buffer.from(bad),
          Buffer.from('","priceCents":100,"stock":1}'),
        ]);
        const response = await fetch(`${s.api.url}/api/products`, {
          method: "POST",
          headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
          body,
        });
        const reply: Reply = {
          status: response.status,
          headers: response.headers,
          body: await response.json(),
        };
        expectProblem(reply, 400);
        expect(reply.body.detail).toMatch(/not UTF-8/);
      }
      expect(await tablesChecksum(s.db)).toBe(before);
    });

    test("another charset or a Content-Encoding is a 415; __proto__ is named as the cause", async () => {
      const before = await tablesChecksum(s.db);
      const json = '{"email":"a@b.test","password":"x"}';
      const latin1 = await call(s.api.url, "POST", "/api/auth/login", {
        raw: json,
        headers: { "content-type": "application/json; charset=iso-8859-1" },
      });
      expectProblem(latin1, 415);
      expect(latin1.body.detail).toMatch(/UTF-8/);
      // The charset may be spelled either way and quoted.
      const utf8 = await call(s.api.url, "POST", "/api/auth/login", {
        raw: json,
        headers: { "content-type": 'application/json; charset="UTF-8"' },
      });
      expect(utf8.status).toBe(401);
      const gzip = await call(s.api.url, "POST", "/api/auth/login", {
        raw: json,
        headers: { "content-encoding": "gzip" },
      });
      expectProblem(gzip, 415);
      expect(gzip.body.detail).toMatch(/Content-Encoding gzip/);
      const proto = await call(s.api.url, "POST", "/api/products", {
        token: admin.token,
        raw: '{"name":"x","priceCents":1,"stock":1,"__proto__":{"admin":true}}',
      });
      expectProblem(proto, 400);
      expect(proto.body.detail).toMatch(/__proto__/);
      expect(await tablesChecksum(s.db)).toBe(before);
    });

    test("an empty body with a JSON content type is a 400", async () => {
      for (const [method, path] of routes()) {
        expectProblem(await call(s.api.url, method, path, { token: admin.token, raw: "" }), 400);
      }
    });
  });
});
