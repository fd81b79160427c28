import type pg from "pg";

const TABLES = ["categories", "products", "product_images", "users"];

/** One digest of every row of the application's tables: equal before/after means unchanged. */
export async function tablesChecksum(db: pg.Client): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    const { rows } = await db.query<{ digest: string | null; n: string }>(
      `SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) AS digest, count(*) AS n FROM ${table} t`,
    );
    parts.push(`${table}:${rows[0]!.n}:${rows[0]!.digest ?? "-"}`);
  }
  return parts.join(" ");
}
