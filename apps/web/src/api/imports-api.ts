import { z } from "zod";
import { apiFetch } from "./api-client.ts";
import { uploadWithProgress, type UploadProgress } from "./upload-with-progress.ts";

/**
 * An import job as `/api/imports/:id` reports it. The counters mirror the worker's
 * ImportProgress (@strata/queue, which is Node-only); the shape is read loosely on purpose
 * (unknown fields pass) until the imports route's schema moves into @strata/contracts.
 */
export const ImportRowError = z.object({
  line: z.number(),
  sku: z.string().optional(),
  reasons: z.array(z.string()),
});

export const ImportCounters = z.looseObject({
  rowsRead: z.number().default(0),
  inserted: z.number().default(0),
  updated: z.number().default(0),
  unchanged: z.number().default(0),
  rejected: z.number().default(0),
  bytesRead: z.number().default(0),
  byteSize: z.number().default(0),
  errors: z.array(ImportRowError).default([]),
});

export const ImportStatus = z.looseObject({
  id: z.string(),
  state: z.string().describe("queued, active, completed, failed, ..."),
  fileName: z.string().optional(),
  progress: ImportCounters.nullable().optional(),
  failedReason: z.string().nullable().optional(),
});

export type ImportStatus = z.infer<typeof ImportStatus>;

const FINISHED = new Set(["completed", "failed"]);
export const importFinished = (status: ImportStatus | undefined) =>
  status !== undefined && FINISHED.has(status.state);

/** Uploads a CSV file; resolves with the new import's status (its id to poll). */
export function startImport(file: File, onProgress: (p: UploadProgress) => void) {
  const upload = uploadWithProgress("/api/imports", file, onProgress);
  return { ...upload, done: upload.done.then((body) => ImportStatus.parse(body)) };
}

export const getImport = (id: string, signal?: AbortSignal) =>
  apiFetch(`/api/imports/${encodeURIComponent(id)}`, ImportStatus, { signal });
