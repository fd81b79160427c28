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

/**
 * The job's progress while it runs and its return value when it completes: the public shape
 * the API shows (`@strata/contracts`), so the two cannot drift.
 */
export { ImportProgress, ImportRowError as RowError } from "@strata/contracts";
