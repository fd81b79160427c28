import { ProductCreate } from "@strata/contracts";
import type { ColumnIndex } from "./csv-columns.ts";

/** One valid row, ready to upsert. Absent optional columns stay undefined (kept on update). */
export interface ProductRow {
  sku: string;
  name: string;
  description: string | undefined;
  priceCents: number;
  stock: number | undefined;
  categoryId: number;
}

export type RowVerdict =
  { ok: true; row: ProductRow } | { ok: false; sku: string | undefined; reasons: string[] };

/** Resolves a category slug to its id (null when there is none). */
export type CategoryLookup = (slug: string) => Promise<number | null>;

const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const WHOLE = /^\d{1,12}$/;

// The shared schema's field names, as the CSV's columns call them.
const COLUMN_OF: Record<string, string> = {
  priceCents: "price_cents",
  categoryId: "category",
  name: "name",
  description: "description",
  stock: "stock",
};

/**
 * Validates one record with the API's own product schema (@strata/contracts ProductCreate),
 * so an imported product obeys exactly the rules of one created through the API. Every
 * problem of the row is reported, not just the first.
 */
export async function validateRow(
  record: string[],
  columns: ColumnIndex,
  categoryOf: CategoryLookup,
): Promise<RowVerdict> {
  const cell = (i: number | undefined) => (i === undefined ? undefined : (record[i] ?? ""));
  const reasons: string[] = [];
  const sku = cell(columns.sku)!.trim();
  if (record.length !== columns.count) {
    reasons.push(`has ${record.length} fields; the header has ${columns.count}`);
  }
  if (!SKU.test(sku)) {
    reasons.push("sku: must be 1-64 letters, digits, dots, dashes or underscores");
  }

  const price = cell(columns.price_cents)!.trim();
  if (!WHOLE.test(price)) reasons.push("price_cents: must be a whole number of cents");
  const stockText = cell(columns.stock)?.trim();
  if (stockText !== undefined && !WHOLE.test(stockText)) {
    reasons.push("stock: must be a whole number");
  }

  const slug = cell(columns.category)!.trim();
  const categoryId = slug === "" ? null : await categoryOf(slug);
  if (categoryId === null) {
    reasons.push(slug === "" ? "category: is empty" : `category: no category "${slug}"`);
  }

  const candidate = {
    name: cell(columns.name)!,
    description: cell(columns.description),
    priceCents: WHOLE.test(price) ? Number(price) : 0,
    stock: stockText !== undefined && WHOLE.test(stockText) ? Number(stockText) : undefined,
    categoryId: categoryId ?? 1,
  };
  const parsed = ProductCreate.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? "row");
      reasons.push(`${COLUMN_OF[field] ?? field}: ${issue.message}`);
    }
  }

  const reportedSku = SKU.test(sku) ? sku : undefined;
  if (reasons.length > 0 || !parsed.success) return { ok: false, sku: reportedSku, reasons };
  return {
    ok: true,
    row: {
      sku,
      name: parsed.data.name,
      description: candidate.description === undefined ? undefined : parsed.data.description,
      priceCents: parsed.data.priceCents,
      stock: candidate.stock === undefined ? undefined : parsed.data.stock,
      categoryId: categoryId!,
    },
  };
}
