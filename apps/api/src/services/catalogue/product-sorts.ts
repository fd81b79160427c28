import { z } from "zod";
import type { ProductSort } from "@strata/contracts";

/** How one sort order is written in SQL and carried in a cursor. */
export interface SortSpec {
  /** The ORDER BY expression for table alias `alias` (id is always the tie-breaker). */
  column: ((alias: string) => string) | null;
  direction: "ASC" | "DESC";
  /** The expression selected as the cursor key, and the cast that reads it back. */
  key: { select: string; cast: string; schema: z.ZodType<string | number> } | null;
}

// Microseconds, UTC, fixed width: created_at round-trips exactly (a JS Date keeps only ms,
// and rows created in one millisecond would otherwise be skipped or repeated at a page edge).
const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const priceKey = {
  select: "p.price_cents",
  cast: "int",
  schema: z.number().int().min(0).max(2_147_483_647),
};

/**
 * Each order matches an index of migration 0001/0002, with and without the category prefix:
 * (id), (price_cents, id), (name COLLATE "C", id), (created_at, id). Descending orders scan
 * the same indexes backwards. Names sort in byte order ("C"), which the index is built in.
 */
export const SORTS: Record<ProductSort, SortSpec> = {
  id: { column: null, direction: "ASC", key: null },
  price: { column: (a) => `${a}.price_cents`, direction: "ASC", key: priceKey },
  "-price": { column: (a) => `${a}.price_cents`, direction: "DESC", key: priceKey },
  name: {
    column: (a) => `${a}.name COLLATE "C"`,
    direction: "ASC",
    key: { select: "p.name", cast: "text", schema: z.string().min(1).max(800) },
  },
  newest: {
    column: (a) => `${a}.created_at`,
    direction: "DESC",
    key: {
      select: `to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      cast: "timestamptz",
      schema: z.string().regex(TIMESTAMP_KEY),
    },
  },
};

/** The zod schema a cursor for `sort` must match. */
export function cursorSchema(sort: ProductSort) {
  const spec = SORTS[sort];
  return z.strictObject({
    v: z.literal(1),
    s: z.literal(sort),
    ...(spec.key ? { k: spec.key.schema } : {}),
    i: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  });
}
