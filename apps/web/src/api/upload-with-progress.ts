import { ApiError } from "./api-error.ts";
import { errorOf } from "./api-client.ts";

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * POSTs one file as multipart/form-data, reporting upload progress. XMLHttpRequest, not fetch:
 * fetch has no upload progress events in browsers today. Errors become ApiError like every
 * other call, so pages show them in the same words.
 */
export function uploadWithProgress(
  url: string,
  file: File,
  onProgress: (progress: UploadProgress) => void,
  fieldName = "file",
): { done: Promise<unknown>; abort(): void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<unknown>((resolve, reject) => {
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress({ loaded: event.loaded, total: event.total });
    });
    xhr.addEventListener("load", () => {
      const response = new Response(xhr.status === 204 ? null : xhr.responseText, {
        status: xhr.status,
        headers: { "retry-after": xhr.getResponseHeader("retry-after") ?? "" },
      });
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress({ loaded: file.size, total: file.size });
        resolve(xhr.responseText ? (JSON.parse(xhr.responseText) as unknown) : undefined);
      } else {
        errorOf(response).then(reject, reject);
      }
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, undefined)));
    xhr.addEventListener("abort", () => reject(new DOMException("upload cancelled", "AbortError")));
  });
  const form = new FormData();
  form.append(fieldName, file, file.name);
  xhr.open("POST", url);
  xhr.setRequestHeader("accept", "application/json");
  xhr.send(form);
  return { done, abort: () => xhr.abort() };
}
