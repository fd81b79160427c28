import type pg from "pg";
import { CATEGORIES } from "./categories.ts";
import { SEED_EPOCH } from "./product-rows.ts";

const CREATED_AT = new Date(SEED_EPOCH - 2 * 365 * 24 * 3600 * 1000).toISOString();

/**
 * Inserts the seeded categories that are missing (matched by slug, so categories an admin
 * made are kept) and returns the id of every seeded slug.
 */
export async function seedCategories(client: pg.ClientBase): Promise<Map<string, number>> {
  const slugs = CATEGORIES.map((c) => c.slug);
  await client.query(
    `INSERT INTO categories (slug, name, created_at, updated_at)
     SELECT slug, name, $3, $3 FROM unnest($1::text[], $2::text[]) AS t (slug, name)
     ON CONFLICT (slug) DO NOTHING`,
    [slugs, CATEGORIES.map((c) => c.name), CREATED_AT],
  );
  const { rows } = await client.query<{ id: string; slug: string }>(
    "SELECT id, slug FROM categories WHERE slug = ANY($1::text[])",
    [slugs],
  );
  return new Map(rows.map((r) => [r.slug, Number(r.id)]));
}
