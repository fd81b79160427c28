import { z } from "zod";

/**
 * A whole number from a query string, written one way only: decimal digits, no sign, no
 * leading zero, no fraction or exponent. Number() would also read "020", "+20", "2e1",
 * "0x14" and " 20" as 20: each a different URL for the same page, and so another entry in
 * nginx's and the CDN's caches (which key by URL), a way to push real pages out.
 */
export function queryInteger(min: number, max: number) {
  return z
    .string()
    .regex(/^(0|[1-9][0-9]{0,8})$/, "must be a whole number in plain decimal digits")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** Page size for every list: 1..100, default 20. Query strings arrive as text. */
export const Limit = queryInteger(1, 100).default(20);

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
