import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCategory, createProducts, loggedIn } from "../support/factories.ts";
import { call } from "../support/http.ts";
import { TEST_ENV, useApi } from "../support/suite.ts";
import { startTestApi, type TestApi } from "../support/test-api.ts";

const s = useApi();
let second: TestApi;
let productId: number;
let admin: { token: string };

beforeAll(async () => {
  second = await startTestApi(s.backends, { ...TEST_ENV, INSTANCE_ID: "test-2" });
  const category = await createCategory(s.db);
  [productId] = (await createProducts(s.db, [
    { categoryId: category.id, name: "Cached lamp" },
  ])) as [number];
  admin = await loggedIn(s.db, s.api, "admin");
});
afterAll(() => second?.close());

describe("cached public reads", () => {
  it("answer a missing product with a 404 shared caches may keep for the freshness only", async () => {
    const missing = await call(s.api.url, "GET", "/api/products/987654321");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("cache-control")).toBe("public, s-maxage=60");
    expect(missing.headers.get("cdn-cache-control")).toBe("public, max-age=60");
    expect(missing.headers.get("cache-tag")).toBe("product:987654321");
    expect(missing.headers.get("etag")).toBeNull();
    // Any other 404 stays private: only a cacheable route's own answer may be stored.
    const noRoute = await call(s.api.url, "GET", "/api/no-such-route");
    expect(noRoute.status).toBe(404);
    expect(noRoute.headers.get("cache-control")).toBe("private, no-store");
  });

  it("carry every header derived from the policy, and 304 on a matching If-None-Match", async () => {
    const first = await call(s.api.url, "GET", `/api/products/${productId}`);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe(
      "public, s-maxage=60, stale-while-revalidate=300, stale-if-error=86400",
    );
    expect(first.headers.get("cdn-cache-control")).toBe(
      "public, max-age=60, stale-while-revalidate=300, stale-if-error=86400",
    );
    expect(first.headers.get("cache-tag")).toBe(`product:${productId}`);
    expect(first.headers.get("vary")).toBeNull();
    expect(first.headers.get("set-cookie")).toBeNull();
    expect(first.headers.get("x-app-cache")).toBe("MISS");
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"1-[A-Za-z0-9_-]+"$/);

    // The second read comes from L2 and admits the key to this instance's L1.
    const secondRead = await call(s.api.url, "GET", `/api/products/${productId}`);
    expect(secondRead.headers.get("x-app-cache")).toBe("L2");
    const again = await call(s.api.url, "GET", `/api/products/${productId}`);
    expect(again.headers.get("x-app-cache")).toBe("L1");
    expect(again.body).toEqual(first.body);

    const elsewhere = await call(second.url, "GET", `/api/products/${productId}`);
    expect(elsewhere.headers.get("x-app-cache")).toBe("L2");
    expect(elsewhere.headers.get("etag")).toBe(etag);

    const conditional = await fetch(`${s.api.url}/api/products/${productId}`, {
      headers: { "if-none-match": etag },
    });
    expect(conditional.status).toBe(304);
    expect(await conditional.text()).toBe("");
    expect(conditional.headers.get("etag")).toBe(etag);
  });

  it("give lists one entry whatever the order of query parameters", async () => {
    await call(s.api.url, "GET", "/api/products?limit=5&sort=price");
    const swapped = await call(second.url, "GET", "/api/products?sort=price&limit=5");
    expect(swapped.headers.get("x-app-cache")).toBe("L2");
    expect(swapped.headers.get("cache-tag")).toBe("products");
  });

  it("show a write at once on every instance, with a new ETag, and accept that ETag as If-Match", async () => {
    const before = await call(second.url, "GET", `/api/products/${productId}`);
    await call(s.api.url, "GET", `/api/products?limit=100`);
    await call(second.url, "GET", `/api/products?limit=100`);
    const etag = before.headers.get("etag")!;
    const patched = await call(s.api.url, "PATCH", `/api/products/${productId}`, {
      token: admin.token,
      headers: { "if-match": etag },
      body: { name: "Renamed lamp" },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    for (const api of [s.api, second]) {
      const detail = await call(api.url, "GET", `/api/products/${productId}`);
      expect(detail.body.name).toBe("Renamed lamp");
      expect(detail.headers.get("etag")).not.toBe(etag);
      const list = await call(api.url, "GET", `/api/products?limit=100`);
      expect(list.body.items.find((p: { id: number }) => p.id === productId).name).toBe(
        "Renamed lamp",
      );
    }
  });

  it("tell open event streams on every instance which tags a write changed", async () => {
    const controller = new AbortController();
    const stream = await fetch(`${second.url}/api/events`, { signal: controller.signal });
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = stream.body!.getReader();
    const received = (async () => {
      let text = "";
      while (!text.includes("event: invalidate")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      return text;
    })();
    await new Promise((r) => setTimeout(r, 200));
    const patched = await call(s.api.url, "PATCH", `/api/products/${productId}`, {
      token: admin.token,
      body: {
        stock: 42,
        version: (await call(s.api.url, "GET", `/api/products/${productId}`)).body.version,
      },
    });
    expect(patched.status).toBe(200);
    const text = await received;
    controller.abort();
    expect(text).toContain(`"product:${productId}"`);
    expect(text).toContain('"products"');
  });
});

describe("private responses", () => {
  it("are private, no-store and never carry cache tags or ETags from the app cache", async () => {
    const me = await call(s.api.url, "GET", "/api/users/me", { token: admin.token });
    expect(me.status).toBe(200);
    expect(me.headers.get("cache-control")).toBe("private, no-store");
    expect(me.headers.get("x-app-cache")).toBeNull();
    expect(me.headers.get("cache-tag")).toBeNull();
  });

  it("no authenticated route is public or has a shared max-age (walks the OpenAPI route table)", async () => {
    const doc = (await call(s.api.url, "GET", "/api/docs/json")).body as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    let checked = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.security?.length || method !== "get") continue;
        const url = path.replace(/\{[^}]+\}/g, "1");
        const response = await call(s.api.url, "GET", url, { token: admin.token });
        const cacheControl = response.headers.get("cache-control") ?? "";
        expect(cacheControl, `${method} ${path}`).toMatch(/private/);
        expect(cacheControl, `${method} ${path}`).not.toMatch(/public|s-maxage=[1-9]/);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });
});
