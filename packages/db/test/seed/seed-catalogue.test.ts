import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATEGORIES } from "../../src/seed/categories.ts";
import { seedCatalogue, type SeedProgress } from "../../src/seed/seed-catalogue.ts";
import { createTestDatabase } from "../../../../test/support/database.ts";
import { catalogueChecksum } from "../support/catalogue-checksum.ts";

type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

const PRODUCTS = 2_000;
const dbs: TestDatabase[] = [];

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  dbs.push(db);
  return db;
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string, values?: unknown[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

const productIndexes = (url: string) =>
  query<{ indexname: string; indexdef: string }>(
    url,
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'products' ORDER BY indexname",
  );

afterAll(async () => {
  await Promise.all(dbs.map((db) => db.drop()));
});

describe("seedCatalogue", () => {
  let a: TestDatabase;
  let reference: string;
  beforeAll(async () => {
    a = await freshDatabase();
    const progress: SeedProgress[] = [];
    const result = await seedCatalogue({
      url: a.url,
      products: PRODUCTS,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toEqual({ seeded: true, categories: CATEGORIES.length, products: PRODUCTS });
    expect(progress.filter((p) => p.phase === "products").at(-1)).toEqual({
      phase: "products",
      done: PRODUCTS,
      total: PRODUCTS,
    });
    expect(progress.at(-1)).toEqual({ phase: "analyze", done: 1, total: 1 });
    reference = await catalogueChecksum(a.url);
  });

  it("gives an identical catalogue, ids included, for the same arguments", async () => {
    const b = await freshDatabase();
    await seedCatalogue({ url: b.url, products: PRODUCTS });
    expect(await catalogueChecksum(b.url)).toBe(reference);
    const [first] = await query<{ id: string }>(b.url, "SELECT min(id) AS id FROM products");
    expect(first!.id).toBe("1");
  });

  it("gives a different catalogue for another seed", async () => {
    const c = await freshDatabase();
    await seedCatalogue({ url: c.url, products: PRODUCTS, seed: "another" });
    expect(await catalogueChecksum(c.url)).not.toBe(reference);
  });

  it("gives the same catalogue and the same indexes when it rebuilds the indexes", async () => {
    const d = await freshDatabase();
    const before = await productIndexes(d.url);
    await seedCatalogue({ url: d.url, products: PRODUCTS, rebuildIndexes: true });
    expect(await catalogueChecksum(d.url)).toBe(reference);
    expect(await productIndexes(d.url)).toEqual(before);
  });

  it("leaves an existing catalogue alone without reset", async () => {
    await query(a.url, "UPDATE products SET stock = 7, version = version + 1 WHERE id = 1");
    const changed = await catalogueChecksum(a.url);
    const result = await seedCatalogue({ url: a.url, products: 10 });
    expect(result).toEqual({ seeded: false, categories: CATEGORIES.length, products: PRODUCTS });
    expect(await catalogueChecksum(a.url)).toBe(changed);
  });

  it("empties and reseeds the catalogue with reset", async () => {
    await query(a.url, "INSERT INTO categories (slug, name) VALUES ('made-by-admin', 'Mine')");
    await seedCatalogue({ url: a.url, products: PRODUCTS, reset: true });
    expect(await catalogueChecksum(a.url)).toBe(reference);
  });

  it("keeps categories an admin made when it seeds an empty products table", async () => {
    const e = await freshDatabase();
    await query(e.url, "INSERT INTO categories (slug, name) VALUES ('made-by-admin', 'Mine')");
    await seedCatalogue({ url: e.url, products: 100 });
    const [row] = await query<{ n: number }>(e.url, "SELECT count(*)::int AS n FROM categories");
    expect(row!.n).toBe(CATEGORIES.length + 1);
  });

  it("seeds once when two processes start at the same time", async () => {
    const f = await freshDatabase();
    const results = await Promise.all([
      seedCatalogue({ url: f.url, products: 500 }),
      seedCatalogue({ url: f.url, products: 500 }),
    ]);
    expect(results.map((r) => r.seeded).sort()).toEqual([false, true]);
    const [row] = await query<{ n: number }>(f.url, "SELECT count(*)::int AS n FROM products");
    expect(row!.n).toBe(500);
  });

  it("makes the seeded products findable by text search and category", async () => {
    const [hit] = await query<{ n: number }>(
      a.url,
      "SELECT count(*)::int AS n FROM products WHERE search @@ to_tsquery('simple', 'warranty')",
    );
    expect(hit!.n).toBeGreaterThan(0);
    const perCategory = await query<{ n: number }>(
      a.url,
      "SELECT count(*)::int AS n FROM products GROUP BY category_id",
    );
    expect(perCategory).toHaveLength(CATEGORIES.length);
  });

  it("refuses a product count out of range before touching the database", async () => {
    await expect(seedCatalogue({ url: a.url, products: -1 })).rejects.toThrow(RangeError);
    await expect(seedCatalogue({ url: a.url, products: 1.5 })).rejects.toThrow(RangeError);
  });
});
