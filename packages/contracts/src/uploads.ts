import { z } from "zod";
import { Id } from "./ids.ts";
import { Limit, queryInteger } from "./pagination.ts";
import { ProductImage } from "./product.ts";

/**
 * `POST /api/products/:id/images`: the stored image. Its `key` is content-addressed
 * (`images/<sha256>`) and served at `url` (`/api/<key>`) with a one-year immutable cache;
 * thumbnails appear in `thumbnails` once the worker has made them.
 */
export const UploadedImage = ProductImage.extend({
  productId: Id,
  byteSize: z.number().int().positive(),
  url: z.string().describe("where the original is served: /api/images/<sha256>"),
}).meta({ id: "UploadedImage" });

/** One rejected CSV row. */
export const ImportRowError = z
  .object({
    line: z.number().int().positive().describe("1-based line where the row starts (header is 1)"),
    sku: z.string().optional(),
    reasons: z.array(z.string()),
  })
  .meta({ id: "ImportRowError" });

/**
 * How far an import got: exact counters (they survive worker crashes), the bytes read for a
 * progress bar, and the first 1000 bad rows in file order (`rejected` is the exact count).
 */
export const ImportProgress = z
  .object({
    rowsRead: z.number().int().nonnegative().describe("data rows read (header excluded)"),
    inserted: z.number().int().nonnegative(),
    updated: z.number().int().nonnegative(),
    unchanged: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative(),
    bytesRead: z.number().int().nonnegative(),
    byteSize: z.number().int().nonnegative(),
    errors: z.array(ImportRowError),
  })
  .meta({ id: "ImportProgress" });

/** A job's state as the queue reports it. */
export const JobState = z.enum([
  "waiting",
  "delayed",
  "prioritized",
  "active",
  "completed",
  "failed",
  "waiting-children",
  "unknown",
]);

/** `GET /api/imports/:id` and each event of `GET /api/imports/:id/events`. */
export const ImportStatus = z
  .object({
    id: z.uuid(),
    state: JobState,
    fileName: z.string(),
    byteSize: z.number().int().nonnegative(),
    progress: ImportProgress.nullable().describe("null until the first batch is committed"),
    attemptsMade: z.number().int().nonnegative(),
    maxAttempts: z.number().int().positive(),
    failedReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    links: z.object({ self: z.string(), events: z.string() }),
  })
  .meta({ id: "ImportStatus" });

/** `POST /api/imports`: accepted, queued, nothing read yet. */
export const ImportAccepted = ImportStatus.pick({ id: true, state: true, links: true }).meta({
  id: "ImportAccepted",
});

/** Every queue of @strata/queue's QueueName (a test in apps/api keeps the two lists equal). */
export const QueueNameParam = z.enum(["thumbnails", "imports", "maintenance"]);

/** A job as an admin sees it in `GET /api/jobs`. */
export const JobSummary = z
  .object({
    queue: QueueNameParam,
    id: z.string(),
    name: z.string(),
    state: JobState,
    data: z.record(z.string(), z.unknown()),
    attemptsMade: z.number().int().nonnegative(),
    maxAttempts: z.number().int().positive(),
    failedReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: "JobSummary" });

export const JobList = z.object({ items: z.array(JobSummary) }).meta({ id: "JobList" });

export const JobListQuery = z.strictObject({
  queue: QueueNameParam,
  state: z.enum(["failed", "completed", "active", "waiting", "delayed"]).default("failed"),
  limit: Limit,
  offset: queryInteger(0, 100_000).default(0),
});

export type UploadedImage = z.infer<typeof UploadedImage>;
export type ImportRowError = z.infer<typeof ImportRowError>;
export type ImportProgress = z.infer<typeof ImportProgress>;
export type ImportStatus = z.infer<typeof ImportStatus>;
export type ImportAccepted = z.infer<typeof ImportAccepted>;
export type JobState = z.infer<typeof JobState>;
export type JobSummary = z.infer<typeof JobSummary>;
export type JobList = z.infer<typeof JobList>;
export type JobListQuery = z.infer<typeof JobListQuery>;
