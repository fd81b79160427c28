import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../migrations",
);

// Any fixed number: every process that migrates takes the same transaction-level lock, so
// several instances starting at once apply each file exactly once.
const MIGRATION_LOCK = 7_210_431;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies, in name order, every `NNNN_name.sql` file not yet recorded in
 * `schema_migrations`, each in its own transaction. A file that changed after it was applied
 * is an error: migrations are append-only. Connects directly (not through PgBouncer).
 */
export async function migrate(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied: string[] = [];
    let alreadyApplied = 0;
    for (const file of files) {
      const sql = fs.readFileSync(path.join(dir, file), "utf8");
      const checksum = crypto.createHash("sha256").update(sql).digest("hex");
      await client.query("BEGIN");
      try {
        await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
        const done = await client.query<{ checksum: string }>(
          "SELECT checksum FROM schema_migrations WHERE name = $1",
          [file],
        );
        if (done.rows[0]) {
          if (done.rows[0].checksum !== checksum) {
            throw new Error(
              `migration ${file} was changed after it was applied; add a new file instead`,
            );
          }
          alreadyApplied++;
        } else {
          await client.query(sql);
          await client.query("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", [
            file,
            checksum,
          ]);
          applied.push(file);
        }
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    }
    return { applied, alreadyApplied };
  } finally {
    await client.end();
  }
}
