import { z } from "zod";

/** Page size for every list: 1..100, default 20. Query strings arrive as text. */
export const Limit = z.coerce.number().int().min(1).max(100).default(20);

/**
 * An opaque keyset cursor as handed out in `nextCursor`: base64url text. Its content is the
 * server's business and is validated there; clients only pass it back.
 */
export const Cursor = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[A-Za-z0-9_-]+$/, "is not a cursor returned by this API");

/** `{ items, nextCursor }`: `nextCursor` is null on the last page. */
export function page<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: Cursor.nullable().describe(
      "pass as `cursor` to get the next page; null at the end",
    ),
  });
}
