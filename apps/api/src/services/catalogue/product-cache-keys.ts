import type { ProductListQuery } from "@strata/contracts";

/**
 * Cache keys and tags of catalogue responses. A key names one response exactly (the validated,
 * defaulted query in a fixed order, so `?a=1&b=2` and `?b=2&a=1` share an entry); tags name what
 * a write must invalidate. Every list carries `products`, since any product write can change any
 * list (order, filters, search); a detail carries its own `product:<id>`.
 */
export function productListKey(query: ProductListQuery): string {
  const ordered = Object.keys(query)
    .sort()
    .map((k) => [k, (query as Record<string, unknown>)[k] ?? null]);
  return `products:list:${JSON.stringify(ordered)}`;
}

export const productTags = {
  list: ["products"],
  detail: (id: number) => [`product:${id}`],
  /** What a write of product `id` must invalidate. */
  write: (id: number) => ["products", `product:${id}`],
};
