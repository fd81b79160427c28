import type { Database } from "@strata/db";
import type { Category } from "@strata/contracts";

/** SQL for categories: a small table, listed whole. */
export class CategoryRepository {
  constructor(private readonly db: Database) {}

  async list(): Promise<Category[]> {
    const { rows } = await this.db.query<{ id: string; slug: string; name: string }>(
      'SELECT id, slug, name FROM categories ORDER BY name COLLATE "C", id',
    );
    return rows.map((row) => ({ id: Number(row.id), slug: row.slug, name: row.name }));
  }
}
