import type pg from "pg";
import type { Database } from "@strata/db";
import { MAX_REPORTED_ROW_ERRORS, type RowError } from "@strata/queue";

/** How far an import got, as committed: the state a resumed job starts from. */
export interface Checkpoint {
  rowsDone: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: RowError[];
  finished: boolean;
}

interface CheckpointRow {
  rows_done: string;
  inserted: string;
  updated: string;
  unchanged: string;
  rejected: string;
  errors: RowError[];
  finished_at: Date | null;
}

/** Reads the checkpoint of `importId`, creating an empty one on the first run. */
export async function loadCheckpoint(db: Database, importId: string): Promise<Checkpoint> {
  const { rows } = await db.query<CheckpointRow>(
    `WITH created AS (
       INSERT INTO import_checkpoints (import_id) VALUES ($1)
       ON CONFLICT (import_id) DO NOTHING
       RETURNING rows_done, inserted, updated, unchanged, rejected, errors, finished_at)
     SELECT * FROM created
     UNION ALL
     SELECT rows_done, inserted, updated, unchanged, rejected, errors, finished_at
       FROM import_checkpoints WHERE import_id = $1`,
    [importId],
  );
  const row = rows[0]!;
  return {
    rowsDone: Number(row.rows_done),
    inserted: Number(row.inserted),
    updated: Number(row.updated),
    unchanged: Number(row.unchanged),
    rejected: Number(row.rejected),
    errors: row.errors,
    finished: row.finished_at !== null,
  };
}

/**
 * The checkpoint after a batch: counters added, bad rows appended up to the report's cap.
 * Pure, so the caller adopts it only once the batch's transaction has committed.
 */
export function advanceCheckpoint(
  current: Checkpoint,
  batch: {
    rowsDone: number;
    inserted: number;
    updated: number;
    unchanged: number;
    errors: RowError[];
    finished: boolean;
  },
): { next: Checkpoint; appended: RowError[] } {
  const room = Math.max(0, MAX_REPORTED_ROW_ERRORS - current.errors.length);
  const appended = batch.errors.slice(0, room);
  return {
    appended,
    next: {
      rowsDone: batch.rowsDone,
      inserted: current.inserted + batch.inserted,
      updated: current.updated + batch.updated,
      unchanged: current.unchanged + batch.unchanged,
      rejected: current.rejected + batch.errors.length,
      errors: [...current.errors, ...appended],
      finished: batch.finished,
    },
  };
}

/**
 * Writes a checkpoint inside the batch's transaction: the rows and the record of having done
 * them commit together, or neither does.
 */
export async function saveCheckpoint(
  client: pg.PoolClient,
  importId: string,
  checkpoint: Checkpoint,
  appended: RowError[],
): Promise<void> {
  await client.query(
    `UPDATE import_checkpoints
        SET rows_done = $2, inserted = $3, updated = $4, unchanged = $5, rejected = $6,
            errors = errors || $7::jsonb, updated_at = now(),
            finished_at = CASE WHEN $8 THEN now() END
      WHERE import_id = $1`,
    [
      importId,
      checkpoint.rowsDone,
      checkpoint.inserted,
      checkpoint.updated,
      checkpoint.unchanged,
      checkpoint.rejected,
      JSON.stringify(appended),
      checkpoint.finished,
    ],
  );
}
