import type pg from "pg";
import type { Database } from "@strata/db";
import type { Product, ProductCreate, ProductListQuery, ProductUpdate } from "@strata/contracts";
import { PRODUCT_COLUMNS, toProduct, withDetails, type ProductRow } from "./product-row.ts";
import { productListStatement } from "./product-list-query.ts";

/** Which versions a write may replace: any listed one, or whatever is there (`If-Match: *`). */
export type ExpectedVersion = { versions: number[] } | "any";

/** The outcome of a conditional write. */
export type WriteResult =
  | { outcome: "done"; product: Product }
  | { outcome: "missing" }
  | { outcome: "stale"; current: Product };

/** The outcome of a conditional delete. */
export type DeleteResult = { outcome: "done" } | Exclude<WriteResult, { outcome: "done" }>;

// API field → column; nothing else can reach the SET clause.
const COLUMNS = {
  name: "name",
  description: "description",
  priceCents: "price_cents",
  stock: "stock",
  categoryId: "category_id",
} as const satisfies Record<Exclude<keyof ProductUpdate, "version">, string>;

const BY_ID = withDetails(`SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.id = $1`);

/** SQL for products. Every statement is parameterised; no input is ever spliced into SQL. */
export class ProductRepository {
  constructor(private readonly db: Database) {}

  /** One page of the list plus the look-ahead row (see productListStatement). */
  async listPage(query: ProductListQuery): Promise<ProductRow[]> {
    let categoryId: number | undefined;
    if (query.category) {
      const { rows } = await this.db.query<{ id: string }>(
        "SELECT id FROM categories WHERE slug = $1",
        [query.category],
      );
      // An unknown category filters everything out: an empty list, not an error.
      if (!rows[0]) return [];
      categoryId = Number(rows[0].id);
    }
    const { text, values } = productListStatement(query, categoryId);
    return (await this.db.query<ProductRow>(text, values)).rows;
  }

  async findById(id: number, client?: pg.PoolClient): Promise<Product | null> {
    const { rows } = client
      ? await client.query<ProductRow>(BY_ID, [id])
      : await this.db.query<ProductRow>(BY_ID, [id]);
    return rows[0] ? toProduct(rows[0]) : null;
  }

  /** Inserts a product and reads it back with its category, in one transaction. */
  /**
   * Inserts a product. With `idempotencyKey`, a second create under the same key returns the
   * first product instead of inserting another (the key lives in the row, so this holds even
   * when the Redis record of the first response was lost).
   */
  async create(input: ProductCreate, idempotencyKey?: string): Promise<Product> {
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO products (name, description, price_cents, stock, category_id, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING id`,
        [
          input.name,
          input.description,
          input.priceCents,
          input.stock,
          input.categoryId,
          idempotencyKey ?? null,
        ],
      );
      let id = rows[0]?.id;
      if (id === undefined) {
        const existing = await client.query<{ id: string }>(
          "SELECT id FROM products WHERE idempotency_key = $1",
          [idempotencyKey],
        );
        id = existing.rows[0]!.id;
      }
      return (await this.findById(Number(id), client))!;
    });
  }

  /**
   * Applies `changes` only if the row still has an expected version, and increments the
   * version in the same UPDATE: of N concurrent writers holding version v exactly one
   * matches `version = v`; the others see v+1 (row locks serialise them) and match nothing.
   */
  async update(
    id: number,
    changes: Omit<ProductUpdate, "version">,
    expected: ExpectedVersion,
  ): Promise<WriteResult> {
    return this.db.transaction(async (client) => {
      const values: unknown[] = [id];
      const sets = Object.entries(changes)
        .filter(([field, value]) => value !== undefined && field in COLUMNS)
        .map(([field, value]) => {
          values.push(value);
          return `${COLUMNS[field as keyof typeof COLUMNS]} = $${values.length}`;
        });
      const condition = versionCondition(expected, values);
      const { rowCount } = await client.query(
        `UPDATE products SET ${[...sets, "version = version + 1", "updated_at = now()"].join(", ")}
         WHERE id = $1${condition}`,
        values,
      );
      // Read back inside the transaction: the row is still locked by our UPDATE, so the
      // response shows exactly the version this request wrote.
      const product = await this.findById(id, client);
      if (rowCount === 1) return { outcome: "done", product: product! };
      return product ? { outcome: "stale", current: product } : { outcome: "missing" };
    });
  }

  /** Deletes a product (conditionally when `expected` names versions). */
  async delete(id: number, expected: ExpectedVersion): Promise<DeleteResult> {
    const values: unknown[] = [id];
    const condition = versionCondition(expected, values);
    return this.db.transaction(async (client) => {
      const { rowCount } = await client.query(
        `DELETE FROM products WHERE id = $1${condition}`,
        values,
      );
      if (rowCount === 1) return { outcome: "done" };
      const current = await this.findById(id, client);
      return current ? { outcome: "stale", current } : { outcome: "missing" };
    });
  }
}

function versionCondition(expected: ExpectedVersion, values: unknown[]): string {
  if (expected === "any") return "";
  values.push(expected.versions);
  return ` AND version = ANY($${values.length}::int[])`;
}
