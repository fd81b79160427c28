import type { MultipartFile } from "@fastify/multipart";
import type { FastifyRequest } from "fastify";
import { problems } from "../http/problem.ts";

/**
 * Reads a multipart body that must hold exactly one part, a file. `consume` gets the file and
 * reads it to the end (storing it); then the rest of the body is read, and a second part (the
 * scope's `parts: 1` limit raises FST_PARTS_LIMIT there, a 400 by uploadProblem) refuses the
 * request before the caller records anything. `request.file()` would skip it in silence:
 * two files sent to a one-file route must not leave the client thinking both were kept.
 */
export async function readSingleFile<T>(
  request: FastifyRequest,
  what: string,
  consume: (part: MultipartFile) => Promise<T>,
  /** Undoes `consume` when the rest of the body refuses the request (a second part). */
  discard: (consumed: T) => Promise<void> = async () => {},
): Promise<T> {
  const parts = request.parts();
  const first = await parts.next();
  if (first.done || first.value.type !== "file") {
    throw problems.badRequest(`send the ${what} as the file part of a multipart body`);
  }
  const consumed = await consume(first.value);
  try {
    const rest = await parts.next();
    if (!rest.done) throw problems.badRequest("send exactly one file, in one multipart part");
  } catch (error) {
    await discard(consumed);
    throw error;
  }
  return consumed;
}
