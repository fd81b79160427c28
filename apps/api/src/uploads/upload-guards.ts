import type { FastifyReply, FastifyRequest } from "fastify";
import { uploadRequestLimit } from "@strata/config";
import { HttpProblem, problems } from "../http/problem.ts";
import { tooLarge } from "./upload-errors.ts";

/**
 * CSRF defence for multipart routes. The API's JSON-only rule cannot hold here (an HTML form
 * can send multipart), so a browser request must come from this origin: browsers always send
 * `Origin` on a cross-site POST. Clients without `Origin` (curl, scripts) are not browsers.
 */
export function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = "";
  }
  if (host !== request.host) {
    throw new HttpProblem({
      status: 403,
      title: "Forbidden",
      detail: "cross-origin uploads are refused",
    });
  }
}

/**
 * Refuses a declared body larger than the file limit plus the multipart envelope before
 * reading a byte of it: the same number nginx's client_max_body_size is generated from.
 */
export function assertDeclaredSize(request: FastifyRequest, fileLimitBytes: number): void {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > uploadRequestLimit(fileLimitBytes)) throw tooLarge(fileLimitBytes);
  if (!request.isMultipart()) {
    throw new HttpProblem({
      status: 415,
      title: "Unsupported Media Type",
      detail: "send the file as multipart/form-data",
    });
  }
}

/**
 * A bound on the uploads one instance streams at once: each holds up to two 5 MiB parts in
 * memory, so without a bound a burst of uploads could exhaust the process.
 */
export class UploadSlots {
  #busy = 0;
  constructor(readonly max: number) {}

  acquire(): () => void {
    if (this.#busy >= this.max) {
      throw problems.unavailable("too many uploads in progress on this instance; retry shortly", 2);
    }
    this.#busy++;
    let released = false;
    return () => {
      if (!released) this.#busy--;
      released = true;
    };
  }
}

/**
 * onSend hook for upload routes: an answer given before the body was read to its end (a 413,
 * a 415 from the first bytes, extra parts ignored) closes the connection. Otherwise the unread
 * rest of the body would sit in the socket, and the client could neither reuse it nor finish.
 */
export async function closeUnreadBodies(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  if (!request.raw.complete) reply.header("connection", "close");
}
