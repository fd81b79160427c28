import type pg from "pg";
import type { ProductRow } from "./product-row.ts";

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface UpsertOutcome extends UpsertCounts {
  /** Rows PostgreSQL refused (a constraint the validation did not foresee), by index. */
  refused: { index: number; reason: string }[];
  /** Ids of the products inserted or changed. */
  changedIds: number[];
}

/** Which optional columns the file has: an absent column keeps the stored value on update. */
export interface PresentColumns {
  description: boolean;
  stock: boolean;
}

function upsertSql(present: PresentColumns): string {
  const updated = ["name", "price_cents", "category_id"];
  if (present.description) updated.push("description");
  if (present.stock) updated.push("stock");
  const set = updated.map((c) => `${c} = EXCLUDED.${c}`).join(", ");
  const before = updated.map((c) => `p.${c}`).join(", ");
  const after = updated.map((c) => `EXCLUDED.${c}`).join(", ");
  // Only a real change bumps version and updated_at: importing the same file twice (a retry)
  // leaves every row exactly as the first run left it.
  return `INSERT INTO products AS p (sku, name, description, price_cents, stock, category_id)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::bigint[])
ON CONFLICT (sku) DO UPDATE SET ${set}, version = p.version + 1, updated_at = now()
WHERE (${before}) IS DISTINCT FROM (${after})
RETURNING p.id, (xmax = 0) AS inserted`;
}

const params = (rows: ProductRow[]) => [
  rows.map((r) => r.sku),
  rows.map((r) => r.name),
  rows.map((r) => r.description ?? ""),
  rows.map((r) => r.priceCents),
  rows.map((r) => r.stock ?? 0),
  rows.map((r) => r.categoryId),
];

/** A data or integrity error: the row's fault, not the database's. */
function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}

/**
 * Upserts `rows` (distinct SKUs) by SKU inside the caller's transaction, in one statement.
 * Should PostgreSQL refuse the statement because of one row, the rows are applied one by
 * one under savepoints instead, so the good rows still go in and each refused row is
 * reported whole: no row is ever half-applied.
 */
export async function upsertProducts(
  client: pg.PoolClient,
  rows: ProductRow[],
  present: PresentColumns,
): Promise<UpsertOutcome> {
  const outcome: UpsertOutcome = {
    inserted: 0,
    updated: 0,
    unchanged: 0,
    refused: [],
    changedIds: [],
  };
  if (rows.length === 0) return outcome;
  const sql = upsertSql(present);
  const count = (result: pg.QueryResult<{ id: string; inserted: boolean }>, size: number) => {
    for (const r of result.rows) {
      if (r.inserted) outcome.inserted++;
      else outcome.updated++;
      outcome.changedIds.push(Number(r.id));
    }
    outcome.unchanged += size - result.rows.length;
  };
  await client.query("SAVEPOINT batch");
  try {
    count(await client.query(sql, params(rows)), rows.length);
    await client.query("RELEASE SAVEPOINT batch");
    return outcome;
  } catch (error) {
    if (!isRowError(error)) throw error;
    await client.query("ROLLBACK TO SAVEPOINT batch");
  }
  for (const [index, row] of rows.entries()) {
    await client.query("SAVEPOINT row");
    try {
      count(await client.query(sql, params([row])), 1);
      await client.query("RELEASE SAVEPOINT row");
    } catch (error) {
      if (!isRowError(error)) throw error;
      await client.query("ROLLBACK TO SAVEPOINT row");
      outcome.refused.push({
        index,
        reason: `refused by the database: ${(error as Error).message}`,
      });
    }
  }
  return outcome;
}
