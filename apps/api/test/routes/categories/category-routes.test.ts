import { expect, test } from "vitest";
import { createCategory } from "../../support/factories.ts";
import { call } from "../../support/http.ts";
import { useApi } from "../../support/suite.ts";

const s = useApi();

test("GET /api/categories lists every category by name", async () => {
  // Written straight to PostgreSQL (no API writes categories), so before the first read: the
  // response is then cached for the categories policy's freshness.
  const lamps = await createCategory(s.db, { slug: "lamps", name: "Lamps" });
  const desks = await createCategory(s.db, { slug: "desks", name: "Desks" });
  const response = await call(s.api.url, "GET", "/api/categories");
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ items: [desks, lamps] });
  expect(response.headers.get("cache-control")).toMatch(/^public, s-maxage=\d+/);
  expect(response.headers.get("set-cookie")).toBeNull();
});

test("GET /api/categories takes no parameters", async () => {
  const response = await call(s.api.url, "GET", "/api/categories?' OR 1=1 --");
  expect(response.status).toBe(200);
});
