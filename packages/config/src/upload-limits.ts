/**
 * Room for the multipart envelope around an uploaded file: boundaries, part headers (a long
 * file name included) and a few small fields. The API limits the file's own bytes
 * (UPLOAD_LIMIT_BYTES, IMPORT_LIMIT_BYTES); a request body may be this much larger.
 */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * The largest request body an upload route accepts for a file limit: what nginx's
 * `client_max_body_size` for that route is generated from, and what the API refuses up front
 * from `Content-Length`. Both tiers then answer an oversized upload the same way, with 413.
 */
export function uploadRequestLimit(fileLimitBytes: number): number {
  return fileLimitBytes + MULTIPART_OVERHEAD_BYTES;
}
