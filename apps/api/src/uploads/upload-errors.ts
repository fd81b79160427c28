import { StorageUnavailableError, UploadTooLargeError } from "@strata/storage";
import { HttpProblem, problems } from "../http/problem.ts";

/**
 * Turns what can go wrong while an upload streams into the problem the client should get:
 * too large → 413, object store down → 503, a malformed or cut-off multipart body → 400.
 * Anything else is returned as it is (a 500 for the error handler).
 */
export function uploadProblem(error: unknown, limitBytes: number): unknown {
  if (error instanceof HttpProblem) return error;
  if (error instanceof UploadTooLargeError || isMultipartLimit(error)) {
    return tooLarge(limitBytes);
  }
  if (error instanceof StorageUnavailableError) {
    return problems.unavailable("object storage is unavailable; retry shortly", 5);
  }
  const message = (error as Error)?.message ?? "";
  if (
    /Unexpected end of (form|multipart data)|Part terminated early|Malformed part header/i.test(
      message,
    )
  ) {
    return problems.badRequest("the multipart body is malformed or was cut off");
  }
  if (/Boundary not found/i.test(message)) {
    return problems.badRequest(
      "the Content-Type names multipart/form-data without a boundary; let the client build the body",
    );
  }
  const code = (error as { code?: string })?.code;
  if (code === "FST_FILES_LIMIT" || code === "FST_PARTS_LIMIT" || code === "FST_FIELDS_LIMIT") {
    return problems.badRequest("send exactly one file, in one multipart part");
  }
  return error;
}

export function tooLarge(limitBytes: number): HttpProblem {
  return new HttpProblem({
    status: 413,
    title: "Content Too Large",
    detail: `the file is larger than the limit of ${limitBytes} bytes`,
    limitBytes,
  });
}

function isMultipartLimit(error: unknown): boolean {
  return (error as { code?: string })?.code === "FST_REQ_FILE_TOO_LARGE";
}
