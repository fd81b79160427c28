import { z } from "zod";

/** Import one uploaded CSV file of products. */
export const ImportJob = z.strictObject({
  /** Also the BullMQ job id and the object key's name. */
  importId: z.uuid(),
  objectKey: z.string().regex(/^imports\/[0-9a-f-]{36}\.csv$/),
  fileName: z.string().max(255),
  byteSize: z.number().int().nonnegative(),
  requestedBy: z.number().int().positive(),
});

export type ImportJob = z.infer<typeof ImportJob>;

export const IMPORT_JOB = "import-products";

/** Bad rows kept in a report; the count of rejected rows is always exact. */
export const MAX_REPORTED_ROW_ERRORS = 1_000;

export const RowError = z.object({
  /** 1-based line of the file where the row starts (the header is line 1). */
  line: z.number().int().positive(),
  /** The row's sku, when it had a readable one. */
  sku: z.string().optional(),
  reasons: z.array(z.string()),
});

/**
 * What an import has done so far: job progress while it runs, the job's return value when it
 * completes. Counters are exact across worker crashes (see the import job's checkpoints).
 */
export const ImportProgress = z.object({
  /** Data rows read so far (the header excluded). */
  rowsRead: z.number().int().nonnegative(),
  inserted: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  /** Bytes of the file read so far, out of `byteSize`: a percentage for progress bars. */
  bytesRead: z.number().int().nonnegative(),
  byteSize: z.number().int().nonnegative(),
  /** The first MAX_REPORTED_ROW_ERRORS bad rows, in file order. */
  errors: z.array(RowError),
});

export type RowError = z.infer<typeof RowError>;
export type ImportProgress = z.infer<typeof ImportProgress>;
