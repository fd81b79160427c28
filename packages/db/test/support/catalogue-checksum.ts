import pg from "pg";

/**
 * One md5 over every seeded column of every category and product, in id order: two
 * databases with equal checksums hold the same catalogue, ids included.
 */
export async function catalogueChecksum(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ categories: string; products: string }>(`
      SELECT
        (SELECT md5(string_agg(concat_ws('|', id, slug, name, created_at), E'\\n' ORDER BY id))
           FROM categories) AS categories,
        (SELECT md5(string_agg(concat_ws('|', p.id, c.slug, p.name, p.description, p.price_cents,
                                         p.stock, p.version, p.created_at, p.updated_at),
                               E'\\n' ORDER BY p.id))
           FROM products p JOIN categories c ON c.id = p.category_id) AS products`);
    return `${rows[0]!.categories}:${rows[0]!.products}`;
  } finally {
    await client.end();
  }
}
