import pg from "pg";

/**
 * An order-independent digest of every row of the application's tables, except the rows a
 * harness made itself (`excludeProducts`: a SQL condition on alias p, e.g. drill products).
 * Each row's md5 is summed as a number rather than concatenated, so a million rows need no
 * gigabyte-long string. Equal before and after means nothing else changed.
 */
export async function catalogueChecksum(
  url: string,
  excludeProducts = "false",
): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const digest = (rows: string) =>
      `SELECT count(*)::text || ':' || coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint)::text, '-') AS d FROM (${rows}) t`;
    const queries: Record<string, string> = {
      categories: "SELECT * FROM categories",
      users: "SELECT * FROM users",
      products: `SELECT * FROM products p WHERE NOT (${excludeProducts})`,
      product_images: `SELECT i.* FROM product_images i JOIN products p ON p.id = i.product_id WHERE NOT (${excludeProducts})`,
    };
    const result: Record<string, string> = {};
    for (const [name, rows] of Object.entries(queries)) {
      result[name] = (await client.query<{ d: string }>(digest(rows))).rows[0]!.d;
    }
    return result;
  } finally {
    await client.end();
  }
}
