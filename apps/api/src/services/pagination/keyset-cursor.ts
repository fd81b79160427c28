import type { z } from "zod";
import { problems } from "../../http/problem.ts";

/**
 * Keyset cursors: the last row's sort key and id as base64url JSON. They are opaque to
 * clients but not secret, so they are not signed: a tampered cursor can only name another
 * position in the same ordering, and everything decoded is validated against `schema` before
 * it reaches SQL (as bound parameters). Anything that does not decode is a 400, never a 500.
 */
export function encodeCursor(payload: unknown): string {
  return Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
}

/** Decodes and validates a cursor made by {@link encodeCursor}; throws a 400 problem otherwise. */
export function decodeCursor<T extends z.ZodType>(cursor: string, schema: T): z.output<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}

function invalidCursor() {
  return problems.badRequest("the cursor is not valid for this list; start again without it", [
    { field: "querystring.cursor", message: "is not a cursor this list handed out" },
  ]);
}
