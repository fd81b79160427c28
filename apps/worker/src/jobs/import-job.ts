import { pipeline } from "node:stream";
import { UnrecoverableError, WaitingError, type Job } from "bullmq";
import {
  ImportJob,
  publishProductChanged,
  type ImportProgress,
  type RowError,
} from "@strata/queue";
import { ObjectNotFoundError } from "@strata/storage";
import type { JobContext } from "../job-context.ts";
import { ImportFileError, readHeader, type ColumnIndex } from "../imports/csv-columns.ts";
import {
  InBandErrorParser,
  NotUtf8Error,
  Utf8Check,
  type ParseFailure,
} from "../imports/csv-stream.ts";
import {
  advanceCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  type Checkpoint,
} from "../imports/import-checkpoint.ts";
import { ByteCounter, LineTracker, NormalizeNewlines } from "../imports/normalize-newlines.ts";
import { validateRow, type CategoryLookup, type ProductRow } from "../imports/product-row.ts";
import { upsertProducts } from "../imports/upsert-products.ts";

// A record this large is an unterminated quote swallowing the file, not a product.
const MAX_RECORD_BYTES = 256 * 1024;
// Category slugs remembered per import (a catalogue has far fewer categories).
const MAX_CACHED_CATEGORIES = 10_000;

interface PendingBatch {
  rows: ProductRow[];
  lines: number[];
  skus: Set<string>;
  errors: RowError[];
}

const emptyBatch = (): PendingBatch => ({ rows: [], lines: [], skus: new Set(), errors: [] });

function progressOf(checkpoint: Checkpoint, bytesRead: number, byteSize: number): ImportProgress {
  return {
    rowsRead: checkpoint.rowsDone,
    inserted: checkpoint.inserted,
    updated: checkpoint.updated,
    unchanged: checkpoint.unchanged,
    rejected: checkpoint.rejected,
    bytesRead,
    byteSize,
    errors: checkpoint.errors,
  };
}

/**
 * Imports a CSV of products: streamed from storage and parsed as it arrives (a million rows
 * never sit in memory), each row validated with the API's product schema, valid rows upserted
 * by SKU in batches of IMPORT_BATCH_SIZE, one transaction each, with the checkpoint written in
 * the same transaction. Bad rows are rejected whole and reported with their line numbers.
 *
 * At-least-once safe: a rerun after a crash skips the rows its checkpoint says are done, and
 * upserting a row again changes nothing; a finished import only returns its report.
 * On shutdown (abort signal) it stops after the current batch and hands the job back.
 */
export function importProcessor(ctx: JobContext) {
  return async (job: Job, token?: string, signal?: AbortSignal): Promise<ImportProgress> => {
    const parsed = ImportJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad payload: ${parsed.error.message}`);
    const data = parsed.data;
    let checkpoint = await loadCheckpoint(ctx.db, data.importId);
    if (checkpoint.finished) return progressOf(checkpoint, data.byteSize, data.byteSize);

    let source;
    try {
      source = await ctx.storage.get(data.objectKey);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) {
        throw new UnrecoverableError(`the uploaded file ${data.objectKey} is missing`);
      }
      throw error;
    }
    const counter = new ByteCounter();
    const utf8 = new Utf8Check();
    const parser = new InBandErrorParser({
      bom: true,
      raw: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_BYTES,
    });
    pipeline(source.body, counter, utf8, new NormalizeNewlines(), parser, () => {
      // Errors surface through the parser's iterator below.
    });

    const categories = new Map<string, number | null>();
    const categoryOf: CategoryLookup = async (slug) => {
      // A file of endless distinct (bad) slugs must not grow this without bound.
      if (categories.size >= MAX_CACHED_CATEGORIES) categories.clear();
      if (!categories.has(slug)) {
        const { rows } = await ctx.db.query<{ id: string }>(
          "SELECT id FROM categories WHERE slug = $1",
          [slug],
        );
        categories.set(slug, rows[0] ? Number(rows[0].id) : null);
      }
      return categories.get(slug)!;
    };

    const lines = new LineTracker();
    let columns: ColumnIndex | undefined;
    let present = { description: false, stock: false };
    let recordIndex = 0;
    let batch = emptyBatch();
    let batchRecords = 0;

    const flush = async (finished: boolean) => {
      const pending = batch;
      const { next, changedIds } = await ctx.db.transaction(async (client) => {
        const outcome = await upsertProducts(client, pending.rows, present);
        const refused: RowError[] = outcome.refused.map(({ index, reason }) => ({
          line: pending.lines[index]!,
          sku: pending.rows[index]!.sku,
          reasons: [reason],
        }));
        const errors = [...pending.errors, ...refused].sort((a, b) => a.line - b.line);
        const advanced = advanceCheckpoint(checkpoint, {
          rowsDone: recordIndex,
          inserted: outcome.inserted,
          updated: outcome.updated,
          unchanged: outcome.unchanged,
          errors,
          finished,
        });
        await saveCheckpoint(client, data.importId, advanced.next, advanced.appended);
        return { next: advanced.next, changedIds: outcome.changedIds };
      });
      // After the commit, so no reader can re-cache the old rows. A lost notice is not worth
      // failing the job for (the committed rows would not be announced again on resume):
      // cached copies then age out within their policy's window.
      await publishProductChanged({ productIds: changedIds, reason: "import" }).catch(
        (error: unknown) =>
          ctx.log.warn({ err: (error as Error).message }, "product change not published"),
      );
      checkpoint = next;
      batch = emptyBatch();
      batchRecords = 0;
      await job.updateProgress(progressOf(checkpoint, counter.bytes, data.byteSize));
      if (!finished && signal?.aborted) {
        // Shutting down: everything so far is committed; another worker resumes from here.
        await job.moveToWait(token);
        throw new WaitingError();
      }
    };

    try {
      for await (const item of parser as AsyncIterable<
        { record: string[]; raw: string } | ParseFailure
      >) {
        if ("error" in item) throw item.error;
        const { record, raw } = item;
        const line = lines.advance(raw);
        if (!columns) {
          columns = readHeader(record);
          present = {
            description: columns.description !== undefined,
            stock: columns.stock !== undefined,
          };
          continue;
        }
        recordIndex++;
        if (recordIndex <= checkpoint.rowsDone) continue; // done before a crash or hand-back
        const verdict = await validateRow(record, columns, categoryOf);
        if (!verdict.ok) {
          batch.errors.push({
            line,
            ...(verdict.sku ? { sku: verdict.sku } : {}),
            reasons: verdict.reasons,
          });
        } else {
          // One statement cannot upsert a SKU twice: the earlier row is committed first, and
          // the later one wins, as it would reading the file top to bottom.
          if (batch.skus.has(verdict.row.sku)) await flush(false);
          batch.rows.push(verdict.row);
          batch.lines.push(line);
          batch.skus.add(verdict.row.sku);
        }
        batchRecords++;
        if (batchRecords >= ctx.importBatchSize) await flush(false);
      }
      if (utf8.error) throw utf8.error;
    } catch (error) {
      source.body.destroy();
      if (error instanceof ImportFileError) throw new UnrecoverableError(error.message);
      const code = (error as { code?: unknown }).code;
      const csvError = typeof code === "string" && code.startsWith("CSV_");
      // Bytes that are not UTF-8 end the parser's input early: a parse error that follows (a
      // quote left open) is a consequence, not the cause.
      const invalid =
        error instanceof NotUtf8Error || (csvError && utf8.error)
          ? `the file stops being UTF-8 text at line ${utf8.error!.line} (save it as CSV UTF-8)`
          : csvError
            ? `the file stops being valid CSV at line ${lines.nextLine} (${(error as Error).message})`
            : undefined;
      if (invalid === undefined) throw error;
      if (!columns) throw new UnrecoverableError(invalid);
      // The rows before the bad line are the admin's to keep: commit what is pending.
      await flush(false);
      throw new UnrecoverableError(`${invalid}; the rows before it were imported`);
    }
    if (!columns) throw new UnrecoverableError("the file is empty: no header row");
    await flush(true);
    // The report lives in the checkpoint and the job; the uploaded file is no longer needed.
    await ctx.storage
      .delete(data.objectKey)
      .catch((error: unknown) =>
        ctx.log.warn(
          { err: (error as Error).message, key: data.objectKey },
          "could not delete import file",
        ),
      );
    return progressOf(checkpoint, counter.bytes, data.byteSize);
  };
}
