import type { Product, ProductCreate, ProductUpdate } from "@strata/contracts";

/** What the product form holds: text as typed, so a half-typed price is not lost. */
export interface ProductDraft {
  name: string;
  description: string;
  price: string;
  stock: string;
  categoryId: string;
}

export const FIELD_LABELS: Record<keyof ProductDraft, string> = {
  name: "Name",
  description: "Description",
  price: "Price (EUR)",
  stock: "Stock",
  categoryId: "Category",
};

export const emptyDraft = (): ProductDraft => ({
  name: "",
  description: "",
  price: "",
  stock: "0",
  categoryId: "",
});

export function draftOf(p: Product): ProductDraft {
  return {
    name: p.name,
    description: p.description,
    price: (p.priceCents / 100).toFixed(2),
    stock: String(p.stock),
    categoryId: String(p.category.id),
  };
}

/** "12.5" → 1250; NaN for text that is not an amount with at most two decimals. */
export function parsePrice(text: string): number {
  const t = text.trim().replace(",", ".");
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return NaN;
  return Math.round(Number(t) * 100);
}

/** Problems a person can fix before anything is sent, by field. */
export function draftProblems(d: ProductDraft): Partial<Record<keyof ProductDraft, string>> {
  const out: Partial<Record<keyof ProductDraft, string>> = {};
  if (!d.name.trim()) out.name = "Give the product a name.";
  if (Number.isNaN(parsePrice(d.price))) out.price = "Enter a price such as 12.99.";
  if (!/^\d+$/.test(d.stock.trim())) out.stock = "Enter a whole number, 0 or more.";
  if (!d.categoryId) out.categoryId = "Choose a category.";
  return out;
}

export function toCreate(d: ProductDraft): ProductCreate {
  return {
    name: d.name.trim(),
    description: d.description,
    priceCents: parsePrice(d.price),
    stock: Number(d.stock),
    categoryId: Number(d.categoryId),
  };
}

/** Only the fields that differ from `base`: a PATCH never overwrites what was not edited. */
export function changesFrom(base: ProductDraft, d: ProductDraft): Omit<ProductUpdate, "version"> {
  const next = toCreate(d);
  const before = toCreate(base);
  const changes: Omit<ProductUpdate, "version"> = {};
  if (next.name !== before.name) changes.name = next.name;
  if (next.description !== before.description) changes.description = next.description;
  if (next.priceCents !== before.priceCents) changes.priceCents = next.priceCents;
  if (next.stock !== before.stock) changes.stock = next.stock;
  if (next.categoryId !== before.categoryId) changes.categoryId = next.categoryId;
  return changes;
}

export const changedFields = (a: ProductDraft, b: ProductDraft) =>
  (Object.keys(a) as (keyof ProductDraft)[]).filter((k) => a[k] !== b[k]);

/**
 * After a 412: the admin's own edits laid over what is there now. Fields the admin did not
 * touch take the current values; fields they edited keep their edit.
 */
export function rebase(
  base: ProductDraft,
  mine: ProductDraft,
  current: ProductDraft,
): ProductDraft {
  const out = { ...current };
  for (const field of changedFields(base, mine)) out[field] = mine[field];
  return out;
}
