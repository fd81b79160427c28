import { beforeAll, describe, expect, test } from "vitest";
import { encodeCursor } from "../../../src/services/pagination/keyset-cursor.ts";
import { createCategory, createProducts } from "../../support/factories.ts";
import { call } from "../../support/http.ts";
import { useApi } from "../../support/suite.ts";

const s = useApi();

interface Row {
  id: number;
  category_id: number;
  price_cents: number;
  name: string;
  created_key: string;
}

const NAMES = ["Lamp", "lamp", "Äpfel", "Zebra", "ß-Set", "日本 desk", "Émile", "apple", "Apple"];
const base = Date.parse("2026-01-01T00:00:00Z");
let big: { id: number; slug: string };
let small: { id: number; slug: string };
let exact: { id: number; slug: string };
let rows: Row[];

beforeAll(async () => {
  big = await createCategory(s.db);
  small = await createCategory(s.db);
  exact = await createCategory(s.db);
  // Ties everywhere (prices, names, timestamps down to the microsecond), so the id
  // tie-breaker and the cursor's exact key are what keep pages from overlapping.
  const seeds = Array.from({ length: 130 }, (_, i) => ({
    categoryId: i < 14 ? exact.id : i % 3 === 0 ? small.id : big.id,
    name: `${NAMES[i % NAMES.length]}${i % 3 === 0 ? "" : ` ${i % 5}`}`,
    description: i % 4 === 0 ? "a bright lamp for desks" : "plain",
    priceCents: ((i * 37) % 11) * 100,
    createdAt: new Date(base + (i % 17) * 1000)
      .toISOString()
      .replace("Z", `${String(i % 4).padStart(3, "0")}Z`),
  }));
  await createProducts(s.db, seeds);
  const result = await s.db.query<Row>(
    `SELECT id::int, category_id::int, price_cents, name,
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS created_key
     FROM products`,
  );
  rows = result.rows;
});

const byId = (a: Row, b: Row) => a.id - b.id;
const ORDERS: Record<string, (a: Row, b: Row) => number> = {
  id: byId,
  price: (a, b) => a.price_cents - b.price_cents || byId(a, b),
  "-price": (a, b) => b.price_cents - a.price_cents || byId(b, a),
  // Byte order of UTF-8, as COLLATE "C" compares.
  name: (a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) || byId(a, b),
  newest: (a, b) =>
    a.created_key < b.created_key ? 1 : a.created_key > b.created_key ? -1 : byId(b, a),
};

async function walk(query: Record<string, string>, limit = 7): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const params = new URLSearchParams({ ...query, limit: String(limit) });
    if (cursor) params.set("cursor", cursor);
    const page = await call(s.api.url, "GET", `/api/products?${params}`);
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.body.items.map((p: { id: number }) => p.id));
    cursor = page.body.nextCursor;
    if (!cursor) return ids;
    expect(page.body.items).toHaveLength(limit);
  }
  throw new Error("pagination did not end");
}

async function matching(q: string): Promise<Set<number>> {
  const { rows: found } = await s.db.query<{ id: number }>(
    "SELECT id::int FROM products WHERE search @@ websearch_to_tsquery('simple', $1)",
    [q],
  );
  return new Set(found.map((r) => r.id));
}

describe("GET /api/products", () => {
  test("the first page: 20 products by id with their category and images", async () => {
    const page = await call(s.api.url, "GET", "/api/products");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^application\/json/);
    expect(page.body.items).toHaveLength(20);
    expect(page.body.items.map((p: { id: number }) => p.id)).toEqual(
      [...rows]
        .sort(byId)
        .slice(0, 20)
        .map((r) => r.id),
    );
    expect(page.body.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const first = page.body.items[0];
    expect(first).toMatchObject({
      id: expect.any(Number),
      name: expect.any(String),
      priceCents: expect.any(Number),
      stock: expect.any(Number),
      version: 1,
      images: [],
      category: { id: exact.id, slug: exact.slug, name: expect.any(String) },
    });
    expect(Date.parse(first.createdAt)).not.toBeNaN();
  });

  for (const sort of Object.keys(ORDERS)) {
    test(`sort=${sort}: walking every page sees each product once, in order`, async () => {
      const expected = [...rows].sort(ORDERS[sort]).map((r) => r.id);
      expect(await walk({ sort })).toEqual(expected);
    });

    test(`sort=${sort} within a category`, async () => {
      for (const category of [big, small]) {
        const expected = rows
          .filter((r) => r.category_id === category.id)
          .sort(ORDERS[sort])
          .map((r) => r.id);
        expect(await walk({ sort, category: category.slug }, 5)).toEqual(expected);
      }
    });

    test(`sort=${sort} with a text search`, async () => {
      const hits = await matching("lamp");
      expect(hits.size).toBeGreaterThan(10);
      const expected = rows
        .filter((r) => hits.has(r.id))
        .sort(ORDERS[sort])
        .map((r) => r.id);
      expect(await walk({ sort, q: "lamp" }, 4)).toEqual(expected);
    });
  }

  test("a list that ends exactly on a page boundary has no empty last page", async () => {
    const first = await call(s.api.url, "GET", `/api/products?category=${exact.slug}&limit=7`);
    const second = await call(
      s.api.url,
      "GET",
      `/api/products?category=${exact.slug}&limit=7&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items).toHaveLength(7);
    expect(second.body.nextCursor).toBeNull();
  });

  test("web search syntax: quoted phrases and exclusions", async () => {
    const phrase = await call(
      s.api.url,
      "GET",
      `/api/products?q=${encodeURIComponent('"bright lamp"')}&limit=100`,
    );
    expect(phrase.status).toBe(200);
    const hits = await matching('"bright lamp"');
    expect(new Set(phrase.body.items.map((p: { id: number }) => p.id))).toEqual(hits);
    const excluded = await call(
      s.api.url,
      "GET",
      `/api/products?q=${encodeURIComponent("lamp -bright")}&limit=100`,
    );
    expect(excluded.status).toBe(200);
    expect(excluded.body.items.length).toBe((await matching("lamp -bright")).size);
  });

  test("an unknown category is an empty list", async () => {
    const page = await call(s.api.url, "GET", "/api/products?category=no-such-category");
    expect(page.status).toBe(200);
    expect(page.body).toEqual({ items: [], nextCursor: null });
  });

  test("limit is 1..100, written in plain digits only (one URL per page, for the URL-keyed caches)", async () => {
    expect((await call(s.api.url, "GET", "/api/products?limit=100")).body.items).toHaveLength(100);
    expect((await call(s.api.url, "GET", "/api/products?limit=1")).body.items).toHaveLength(1);
    const spellingsOf20 = ["020", "+20", "2e1", "0x14", "20.0", "%2020", "20%20"];
    for (const limit of ["0", "101", "-1", "abc", "1.5", "", ...spellingsOf20]) {
      const response = await call(s.api.url, "GET", `/api/products?limit=${limit}`);
      expect(response.status, limit).toBe(400);
      expect(response.body.errors[0].field).toBe("querystring.limit");
    }
  });

  test("bad sort, category or search parameters are 400s naming the parameter", async () => {
    const cases: [string, string][] = [
      ["sort=price;DROP", "querystring.sort"],
      ["category=Not%20A%20Slug", "querystring.category"],
      [`q=${"x".repeat(201)}`, "querystring.q"],
      ["q=%00", "querystring.q"],
      ["q=", "querystring.q"],
      ["page=2", "querystring.page"],
      ["limit=1&limit=2", "querystring.limit"],
    ];
    for (const [qs, field] of cases) {
      const response = await call(s.api.url, "GET", `/api/products?${qs}`);
      expect(response.status, qs).toBe(400);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  describe("cursors are validated, never trusted", () => {
    const tampered = [
      "not-base64-at-all!",
      "AAAA",
      Buffer.from("{not json").toString("base64url"),
      encodeCursor({ v: 2, s: "id", i: 5 }),
      encodeCursor({ v: 1, s: "price", k: "' OR 1=1 --", i: 5 }),
      encodeCursor({ v: 1, s: "price", k: 5, i: -1 }),
      encodeCursor({ v: 1, s: "price", k: 5, i: "1; DROP TABLE products" }),
      encodeCursor({ v: 1, s: "price", k: 1e300, i: 1 }),
      encodeCursor({ v: 1, s: "newest", k: "yesterday", i: 1 }),
      encodeCursor({ v: 1, s: "newest", k: "2026-13-45T99:99:99.000000Z", i: 1 }),
      encodeCursor({ v: 1, s: "name", k: "a\u0000b", i: 1 }),
      encodeCursor({ v: 1, s: "price", k: 5, i: 1, extra: true }),
      encodeCursor([1, 2, 3]),
      encodeCursor(null),
      "A".repeat(3000),
    ];
    test.each(tampered.map((c, i) => [i, c]))(
      "tampered cursor #%i is a 400",
      async (_i, cursor) => {
        const sort = cursor.length < 3000 ? "price" : "id";
        const response = await call(
          s.api.url,
          "GET",
          `/api/products?sort=${sort}&cursor=${cursor}`,
        );
        expect(response.status).toBe(400);
        expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      },
    );

    test("a cursor of one sort is refused by another", async () => {
      const page = await call(s.api.url, "GET", "/api/products?sort=price&limit=3");
      const response = await call(
        s.api.url,
        "GET",
        `/api/products?sort=name&cursor=${page.body.nextCursor}`,
      );
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe("querystring.cursor");
    });
  });

  test("no private or cookie headers on public reads", async () => {
    const response = await call(s.api.url, "GET", "/api/products");
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.get("cache-control") ?? "").not.toMatch(/private/);
  });
});

describe("GET /api/products/:id", () => {
  test("one product, the same as in the list", async () => {
    const list = await call(s.api.url, "GET", "/api/products?limit=1");
    const detail = await call(s.api.url, "GET", `/api/products/${list.body.items[0].id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toEqual(list.body.items[0]);
  });

  test("images in position order, with well-formed thumbnails only", async () => {
    const [id] = await createProducts(s.db, [{ categoryId: small.id, name: "Pictured" }]);
    await s.db.query(
      `INSERT INTO product_images (product_id, object_key, content_type, byte_size, width, height, thumbnails, position)
       VALUES ($1, 'b-key', 'image/png', 10, 640, 480,
               '{"small": {"key": "b-small", "width": 160, "height": 120}, "broken": {"width": 1}}', 2),
              ($1, 'a-key', 'image/jpeg', 10, NULL, NULL, '{}', 1)`,
      [id],
    );
    const detail = await call(s.api.url, "GET", `/api/products/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.images).toEqual([
      {
        id: expect.any(Number),
        key: "a-key",
        contentType: "image/jpeg",
        width: null,
        height: null,
        thumbnails: {},
      },
      {
        id: expect.any(Number),
        key: "b-key",
        contentType: "image/png",
        width: 640,
        height: 480,
        thumbnails: { small: { key: "b-small", width: 160, height: 120 } },
      },
    ]);
  });

  test("an unknown id is a 404 problem", async () => {
    const response = await call(s.api.url, "GET", "/api/products/999999999");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 404, title: "Not Found" });
  });

  test.each(["abc", "0", "-1", "1.5", "1e3", "0x10", "99999999999999999999", "%20%201", "1%00"])(
    "id %s is a 400 naming params.id",
    async (id) => {
      const response = await call(s.api.url, "GET", `/api/products/${id}`);
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe("params.id");
    },
  );
});
