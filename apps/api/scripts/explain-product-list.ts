/**
 * Prints EXPLAIN ANALYZE of every product-list query shape (each sort, with and without a
 * category, a search and a cursor) on a private PostgreSQL holding N products (default
 * 300,000), to check by hand that each uses its index and never sorts the table:
 *   npx tsx apps/api/scripts/explain-product-list.ts [N]
 */
/* eslint-disable no-console -- a command-line tool: its report goes to stdout */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { migrate } from "@strata/db";
import { startPostgres } from "@strata/local-servers";
import { ProductSort, type ProductListQuery } from "@strata/contracts";
import { productListStatement } from "../src/services/catalogue/product-list-query.ts";
import { encodeCursor } from "../src/services/pagination/keyset-cursor.ts";

const count = Number(process.argv[2] ?? 300_000);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-explain-"));
const server = await startPostgres({ dataDir, ephemeral: true, database: "explain" });
try {
  await migrate(server.url);
  const db = new pg.Client({ connectionString: server.url });
  db.on("error", (error) => console.error("connection error", error.message));
  await db.connect();
  await db.query(`INSERT INTO categories (slug, name)
    SELECT 'category-' || g, 'Category ' || g FROM generate_series(1, 40) g`);
  await db.query(
    `INSERT INTO products (category_id, name, description, price_cents, stock, created_at)
     SELECT 1 + (g % 40), 'Product ' || md5(g::text), 'word' || (g % 1000) || ' common text',
            ((g::bigint * 7919) % 100000)::int, g % 50, now() - (g % 86400) * interval '1 second'
     FROM generate_series(1, $1::int) g`,
    [count],
  );
  // A small category too: the planner must pick the category index for it, not filter.
  await db.query(`INSERT INTO categories (slug, name) VALUES ('rare', 'Rare')`);
  await db.query(`INSERT INTO products (category_id, name, price_cents, created_at)
    SELECT 41, 'Rare ' || g, g, now() FROM generate_series(1, 10) g`);
  await db.query("ANALYZE");
  const cursors: Record<string, Record<string, unknown>> = {
    id: { i: Math.floor(count / 2) },
    price: { k: 50_000, i: Math.floor(count / 2) },
    "-price": { k: 50_000, i: Math.floor(count / 2) },
    name: { k: "Product 8", i: Math.floor(count / 2) },
    newest: { k: new Date(Date.now() - 3_600_000).toISOString().replace("Z", "000Z"), i: 1 },
  };
  for (const sort of ProductSort.options) {
    for (const variant of ["plain", "category", "rare", "search", "category+search"]) {
      for (const withCursor of [false, true]) {
        const query: ProductListQuery = {
          limit: 20,
          sort,
          ...(variant.includes("search") ? { q: "word42" } : {}),
          ...(withCursor ? { cursor: encodeCursor({ v: 1, s: sort, ...cursors[sort] }) } : {}),
        };
        const categoryId = variant.includes("category") ? 7 : variant === "rare" ? 41 : undefined;
        const { text, values } = productListStatement(query, categoryId);
        const { rows } = await db.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${text}`, values);
        const plan = rows.map((r) => r["QUERY PLAN"] as string);
        const inner = plan.filter((line) =>
          /on products|Sort Key|Index Cond|Filter: \(\(?(search|ROW|category)/.test(line),
        );
        console.log(`\n== sort=${sort} ${variant}${withCursor ? " +cursor" : ""}`);
        console.log(inner.slice(0, 8).join("\n"));
        console.log(plan.at(-1));
      }
    }
  }
  await db.end();
} finally {
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
