import { beforeAll, describe, expect, test } from "vitest";
import { createCategory, createProducts, loggedIn } from "../../support/factories.ts";
import { call, expectProblem } from "../../support/http.ts";
import { useApi } from "../../support/suite.ts";

const s = useApi();
let category: { id: number; slug: string };
let admin: { token: string };
let customer: { token: string };

beforeAll(async () => {
  category = await createCategory(s.db);
  admin = await loggedIn(s.db, s.api, "admin");
  customer = await loggedIn(s.db, s.api, "customer");
});

const newProduct = () => ({
  name: "  Desk lamp  ",
  description: "Warm light.\nTwo settings.",
  priceCents: 4999,
  stock: 3,
  categoryId: category.id,
});

async function create(body: unknown = newProduct()) {
  const response = await call(s.api.url, "POST", "/api/products", { token: admin.token, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response;
}

async function versionOf(id: number): Promise<number | undefined> {
  const { rows } = await s.db.query<{ version: number }>(
    "SELECT version FROM products WHERE id = $1",
    [id],
  );
  return rows[0]?.version;
}

describe("POST /api/products", () => {
  test("creates a product: 201, Location, ETag, private, trimmed name, defaults", async () => {
    const response = await create();
    expect(response.headers.get("location")).toBe(`/api/products/${response.body.id}`);
    expect(response.headers.get("etag")).toBe('"1"');
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.body).toMatchObject({
      name: "Desk lamp",
      description: "Warm light.\nTwo settings.",
      priceCents: 4999,
      stock: 3,
      version: 1,
      images: [],
      category: { id: category.id, slug: category.slug },
    });
    const detail = await call(s.api.url, "GET", response.headers.get("location")!);
    expect(detail.body).toEqual(response.body);

    const minimal = await create({ name: "Bare", priceCents: 0, categoryId: category.id });
    expect(minimal.body).toMatchObject({ description: "", stock: 0, priceCents: 0 });
  });

  test("an unknown category is a 422 naming categoryId", async () => {
    const response = await call(s.api.url, "POST", "/api/products", {
      token: admin.token,
      body: { ...newProduct(), categoryId: 987654 },
    });
    expectProblem(response, 422);
    expect(response.body.errors).toEqual([
      { field: "body.categoryId", message: "no such category" },
    ]);
  });

  test("bounds: price 0..100,000,000 cents, stock >= 0, name 1..200 characters", async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ priceCents: -1 }, "body.priceCents"],
      [{ priceCents: 100_000_001 }, "body.priceCents"],
      [{ priceCents: 1.5 }, "body.priceCents"],
      [{ priceCents: "100" }, "body.priceCents"],
      [{ stock: -1 }, "body.stock"],
      [{ name: "" }, "body.name"],
      [{ name: "   " }, "body.name"],
      [{ name: "x".repeat(201) }, "body.name"],
      [{ name: "tab\there" }, "body.name"],
      [{ description: "x".repeat(10_001) }, "body.description"],
      [{ categoryId: 0 }, "body.categoryId"],
      [{ categoryId: null }, "body.categoryId"],
      [{ id: 5 }, "body.id"],
      [{ version: 3 }, "body.version"],
    ];
    for (const [change, field] of bad) {
      const response = await call(s.api.url, "POST", "/api/products", {
        token: admin.token,
        body: { ...newProduct(), ...change },
      });
      expectProblem(response, 400);
      expect(
        response.body.errors.map((e: { field: string }) => e.field),
        JSON.stringify(change),
      ).toContain(field);
    }
    const { name: _name, ...withoutName } = newProduct();
    const missing = await call(s.api.url, "POST", "/api/products", {
      token: admin.token,
      body: withoutName,
    });
    expectProblem(missing, 400);
    expect(missing.body.errors[0].field).toBe("body.name");
  });
});

describe("PATCH /api/products/:id", () => {
  test("with the version in the body: 200, version + 1, other fields untouched", async () => {
    const { body: product } = await create();
    const response = await call(s.api.url, "PATCH", `/api/products/${product.id}`, {
      token: admin.token,
      body: { priceCents: 3999, version: 1 },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"2"');
    expect(response.body).toMatchObject({
      ...product,
      priceCents: 3999,
      version: 2,
      updatedAt: expect.any(String),
    });
    expect(Date.parse(response.body.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(product.updatedAt),
    );
  });

  test("with If-Match: the ETag form, lists and *", async () => {
    const { body: product } = await create();
    const url = `/api/products/${product.id}`;
    const first = await call(s.api.url, "PATCH", url, {
      token: admin.token,
      headers: { "if-match": '"1"' },
      body: { stock: 10 },
    });
    expect(first.status).toBe(200);
    const list = await call(s.api.url, "PATCH", url, {
      token: admin.token,
      headers: { "if-match": '"7", "2"' },
      body: { stock: 11 },
    });
    expect(list.status).toBe(200);
    const any = await call(s.api.url, "PATCH", url, {
      token: admin.token,
      headers: { "if-match": "*" },
      body: { stock: 12 },
    });
    expect(any.body).toMatchObject({ stock: 12, version: 4 });
  });

  test("a lost update is a 412 with the current version and product, and changes nothing", async () => {
    const { body: product } = await create();
    const url = `/api/products/${product.id}`;
    await call(s.api.url, "PATCH", url, {
      token: admin.token,
      body: { name: "First", version: 1 },
    });
    for (const attempt of [
      { body: { name: "Second", version: 1 } },
      { headers: { "if-match": '"1"' }, body: { name: "Second" } },
      { headers: { "if-match": 'W/"2"' }, body: { name: "Second" } },
      { headers: { "if-match": '"abc"' }, body: { name: "Second" } },
    ]) {
      const response = await call(s.api.url, "PATCH", url, { token: admin.token, ...attempt });
      expectProblem(response, 412);
      expect(response.body.currentVersion).toBe(2);
      expect(response.body.current).toMatchObject({ id: product.id, name: "First", version: 2 });
    }
    expect(await versionOf(product.id)).toBe(2);
  });

  test("no version at all is a 428; conflicting versions or a malformed If-Match a 400", async () => {
    const { body: product } = await create();
    const url = `/api/products/${product.id}`;
    expectProblem(
      await call(s.api.url, "PATCH", url, { token: admin.token, body: { stock: 1 } }),
      428,
    );
    const conflicting = await call(s.api.url, "PATCH", url, {
      token: admin.token,
      headers: { "if-match": '"1"' },
      body: { stock: 1, version: 2 },
    });
    expectProblem(conflicting, 400);
    expect(conflicting.body.errors[0].field).toBe("body.version");
    const malformed = await call(s.api.url, "PATCH", url, {
      token: admin.token,
      headers: { "if-match": "1" },
      body: { stock: 1 },
    });
    expectProblem(malformed, 400);
    expect(malformed.body.errors[0].field).toBe("headers.if-match");
    const nothing = await call(s.api.url, "PATCH", url, {
      token: admin.token,
      body: { version: 1 },
    });
    expectProblem(nothing, 400);
    expect(await versionOf(product.id)).toBe(1);
  });

  test("an unknown product is a 404, an unknown category a 422", async () => {
    expectProblem(
      await call(s.api.url, "PATCH", "/api/products/99999999", {
        token: admin.token,
        body: { stock: 1, version: 1 },
      }),
      404,
    );
    const { body: product } = await create();
    const response = await call(s.api.url, "PATCH", `/api/products/${product.id}`, {
      token: admin.token,
      body: { categoryId: 99999, version: 1 },
    });
    expectProblem(response, 422);
    expect(await versionOf(product.id)).toBe(1);
  });

  test("concurrent updates with the same version: exactly one 200, the rest 412", async () => {
    const { body: product } = await create();
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(s.api.url, "PATCH", `/api/products/${product.id}`, {
          token: admin.token,
          headers: { "if-match": '"1"' },
          body: { stock: 100 + i },
        }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((st) => st === 200)).toHaveLength(1);
    expect(statuses.filter((st) => st === 412)).toHaveLength(11);
    const winner = responses.find((r) => r.status === 200)!;
    expect(await versionOf(product.id)).toBe(2);
    const detail = await call(s.api.url, "GET", `/api/products/${product.id}`);
    expect(detail.body.stock).toBe(winner.body.stock);
    for (const loser of responses.filter((r) => r.status === 412)) {
      expect(loser.body.currentVersion).toBe(2);
    }
  });
});

describe("DELETE /api/products/:id", () => {
  test("deletes: 204, then 404", async () => {
    const { body: product } = await create();
    const response = await call(s.api.url, "DELETE", `/api/products/${product.id}`, {
      token: admin.token,
    });
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expectProblem(await call(s.api.url, "GET", `/api/products/${product.id}`), 404);
    expectProblem(
      await call(s.api.url, "DELETE", `/api/products/${product.id}`, { token: admin.token }),
      404,
    );
  });

  test("honours If-Match: a stale version is a 412 and the product stays", async () => {
    const { body: product } = await create();
    await call(s.api.url, "PATCH", `/api/products/${product.id}`, {
      token: admin.token,
      body: { stock: 9, version: 1 },
    });
    const stale = await call(s.api.url, "DELETE", `/api/products/${product.id}`, {
      token: admin.token,
      headers: { "if-match": '"1"' },
    });
    expectProblem(stale, 412);
    expect(stale.body.currentVersion).toBe(2);
    expect(await versionOf(product.id)).toBe(2);
    const current = await call(s.api.url, "DELETE", `/api/products/${product.id}`, {
      token: admin.token,
      headers: { "if-match": '"2"' },
    });
    expect(current.status).toBe(204);
    expect(await versionOf(product.id)).toBeUndefined();
  });
});

describe("only admins write", () => {
  test("anonymous: 401 with WWW-Authenticate; customer: 403; nothing changes", async () => {
    const [id] = await createProducts(s.db, [{ categoryId: category.id }]);
    const writes: [string, string, unknown][] = [
      ["POST", "/api/products", newProduct()],
      ["PATCH", `/api/products/${id}`, { stock: 5, version: 1 }],
      ["DELETE", `/api/products/${id}`, undefined],
    ];
    const before = await s.db.query("SELECT count(*) FROM products");
    for (const [method, path, body] of writes) {
      const anonymous = await call(s.api.url, method, path, { body });
      expectProblem(anonymous, 401);
      expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const forged = await call(s.api.url, method, path, { body, token: "x".repeat(43) });
      expectProblem(forged, 401);
      expectProblem(await call(s.api.url, method, path, { body, token: customer.token }), 403);
    }
    expect((await s.db.query("SELECT count(*) FROM products")).rows).toEqual(before.rows);
    expect(await versionOf(id!)).toBe(1);
  });

  test("the admin check comes before body validation: an anonymous bad body is a 401", async () => {
    expectProblem(await call(s.api.url, "POST", "/api/products", { raw: "{not json" }), 401);
  });
});
