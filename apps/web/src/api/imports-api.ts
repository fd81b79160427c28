import { ImportAccepted, ImportStatus } from "@strata/contracts";
import { apiFetch } from "./api-client.ts";
import { uploadWithProgress, type UploadProgress } from "./upload-with-progress.ts";

export type { ImportStatus };

const FINISHED = new Set<ImportStatus["state"]>(["completed", "failed"]);

export const importFinished = (status: ImportStatus | undefined) =>
  status !== undefined && FINISHED.has(status.state);

/** Uploads a CSV file; resolves once it is stored and queued (202), with the import's id. */
export function startImport(file: File, onProgress: (p: UploadProgress) => void) {
  const upload = uploadWithProgress("/api/imports", file, onProgress);
  return { ...upload, done: upload.done.then((body) => ImportAccepted.parse(body)) };
}

export const getImport = (id: string, signal?: AbortSignal) =>
  apiFetch(`/api/imports/${encodeURIComponent(id)}`, ImportStatus, { signal });
