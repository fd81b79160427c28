import type pg from "pg";

export interface IndexDefinition {
  name: string;
  definition: string;
}

/**
 * Drops the indexes of `table` that enforce nothing (not the primary key, not unique, not
 * behind a constraint) and returns their definitions, as pg_get_indexdef prints them,
 * for recreateIndexes. Reading them from the catalogue rather than repeating the migration
 * keeps this right when a later migration adds an index. Run inside a transaction: if
 * anything fails, the DROP rolls back with it.
 */
export async function dropSecondaryIndexes(
  client: pg.ClientBase,
  table: string,
): Promise<IndexDefinition[]> {
  const { rows } = await client.query<IndexDefinition>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
      WHERE i.indrelid = $1::regclass
        AND NOT i.indisunique
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
      ORDER BY 1`,
    [table],
  );
  for (const index of rows) await client.query(`DROP INDEX ${index.name}`);
  return rows;
}

/** Builds the indexes again, one statement each, reporting progress after each. */
export async function recreateIndexes(
  client: pg.ClientBase,
  indexes: readonly IndexDefinition[],
  onIndex?: (built: number) => void,
): Promise<void> {
  for (const [i, index] of indexes.entries()) {
    await client.query(index.definition);
    onIndex?.(i + 1);
  }
}
