import { expect, test } from "vitest";
import { call } from "../support/http.ts";
import { useApi } from "../support/suite.ts";

const s = useApi();

/** Every route of the API contract (ARCHITECTURE §9) this service implements. */
const ROUTES: [string, string, { body?: boolean; params?: boolean; query?: boolean }][] = [
  ["get", "/api/products", { query: true }],
  ["get", "/api/products/{id}", { params: true }],
  ["post", "/api/products", { body: true }],
  ["patch", "/api/products/{id}", { body: true, params: true }],
  ["delete", "/api/products/{id}", { params: true }],
  ["get", "/api/categories", {}],
  ["post", "/api/auth/register", { body: true }],
  ["post", "/api/auth/login", { body: true }],
  ["post", "/api/auth/logout", {}],
  ["get", "/api/users/me", {}],
  ["get", "/api/users", { query: true }],
];

test("the OpenAPI document describes every route with its schemas", async () => {
  const response = await call(s.api.url, "GET", "/api/docs/json");
  expect(response.status).toBe(200);
  const doc = response.body;
  expect(doc.openapi).toMatch(/^3\./);
  for (const [method, path, parts] of ROUTES) {
    const operation = doc.paths[path]?.[method];
    expect(operation, `${method} ${path}`).toBeDefined();
    expect(operation.summary, `${method} ${path}`).toBeTruthy();
    const success = Object.keys(operation.responses).filter((code) => code.startsWith("2"));
    expect(success, `${method} ${path}`).toHaveLength(1);
    const errors = Object.keys(operation.responses).filter((code) => /^[45]/.test(code));
    expect(errors.length, `${method} ${path} documents its errors`).toBeGreaterThan(0);
    for (const code of errors) {
      expect(operation.responses[code].content["application/problem+json"].schema).toEqual({
        $ref: "#/components/schemas/Problem",
      });
    }
    if (parts.body) {
      expect(operation.requestBody.content["application/json"].schema, path).toBeDefined();
    }
    const inParams = (where: string) =>
      (operation.parameters ?? []).filter((p: { in: string }) => p.in === where);
    if (parts.params) expect(inParams("path").map((p: { name: string }) => p.name)).toEqual(["id"]);
    if (parts.query) expect(inParams("query").length).toBeGreaterThan(0);
  }
  for (const name of [
    "Product",
    "ProductList",
    "ProductCreate",
    "ProductUpdate",
    "Category",
    "User",
    "UserList",
    "Session",
    "LoginRequest",
    "RegisterRequest",
    "Problem",
  ]) {
    expect(doc.components.schemas[name], name).toBeDefined();
  }
  expect(
    doc.paths["/api/products"].get.responses["200"].content["application/json"].schema,
  ).toEqual({ $ref: "#/components/schemas/ProductList" });
  const sort = doc.paths["/api/products"].get.parameters.find(
    (p: { name: string }) => p.name === "sort",
  );
  expect(sort.schema.enum).toEqual(["id", "price", "-price", "name", "newest"]);
  expect(doc.paths["/api/users"].get.security).toEqual([{ session: [] }, { bearer: [] }]);
  expect(doc.paths["/api/products"].post.parameters.map((p: { name: string }) => p.name)).toContain(
    "idempotency-key",
  );
});

test("the documentation UI is served at /api/docs", async () => {
  const response = await fetch(`${s.api.url}/api/docs`, { redirect: "follow" });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/text\/html/);
});
