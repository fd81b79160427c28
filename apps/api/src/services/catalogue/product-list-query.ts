import type { ProductListQuery } from "@strata/contracts";
import { decodeCursor } from "../pagination/keyset-cursor.ts";
import { PRODUCT_COLUMNS, withDetails } from "./product-row.ts";
import { SORTS, cursorSchema } from "./product-sorts.ts";

/** A parameterised SQL statement. */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * The keyset query for one page of the product list. The position is a row comparison,
 * `(sort key, id) > (cursor key, cursor id)`, which PostgreSQL turns into an index range
 * condition, so page 10,000 costs what page 1 costs (no OFFSET). The category comes as an id
 * (resolved from its slug beforehand) and is bound as a parameter, so the planner sees the
 * value and its statistics: for a small category it picks the (category_id, key, id) index
 * instead of walking the whole key index and filtering (which a subquery, an unknown value
 * to the planner, led it to do). `q` adds a full-text filter on the generated `search` column; results
 * keep the chosen order rather than a rank, because keyset paging by rank would have to rank
 * every match on every page (see docs/decisions.md). All values are bound parameters.
 * Fetches `limit + 1` rows: the extra one says whether a next page exists.
 */
export function productListStatement(
  query: Omit<ProductListQuery, "category">,
  categoryId?: number,
): Statement {
  const spec = SORTS[query.sort];
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where: string[] = [];
  if (categoryId !== undefined) where.push(`p.category_id = ${param(categoryId)}`);
  if (query.q) {
    where.push(`p.search @@ websearch_to_tsquery('simple', ${param(query.q)})`);
  }
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, cursorSchema(query.sort)) as {
      k?: string | number;
      i: number;
    };
    const op = spec.direction === "ASC" ? ">" : "<";
    if (spec.column && spec.key) {
      where.push(
        `(${spec.column("p")}, p.id) ${op} (${param(cursor.k)}::${spec.key.cast}, ${param(cursor.i)})`,
      );
    } else {
      where.push(`p.id ${op} ${param(cursor.i)}`);
    }
  }
  const order = (alias: string) =>
    [spec.column?.(alias), `${alias}.id`]
      .filter(Boolean)
      .map((column) => `${column} ${spec.direction}`)
      .join(", ");
  const keySelect = spec.key ? `, ${spec.key.select} AS sort_key` : "";
  const inner = `SELECT ${PRODUCT_COLUMNS}${keySelect} FROM products p
${where.length ? `WHERE ${where.join(" AND ")}` : ""}
ORDER BY ${order("p")}
LIMIT ${param(query.limit + 1)}`;
  return { text: withDetails(inner, `ORDER BY ${order("page")}`), values };
}
