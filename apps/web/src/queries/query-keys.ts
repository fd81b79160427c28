import type { ProductFilter } from "../api/product-filter.ts";

/**
 * Every query key of the app, in one place, as a tree: invalidating a prefix (e.g.
 * `queryKeys.productLists()`) reaches every query below it. The live-event mapping
 * (live/tags-to-query-keys.ts) speaks in these keys only.
 */
export const queryKeys = {
  products: () => ["products"] as const,
  productLists: () => ["products", "list"] as const,
  productList: (filter: ProductFilter) =>
    [
      "products",
      "list",
      { q: filter.q ?? "", category: filter.category ?? "", sort: filter.sort ?? "id" },
    ] as const,
  productDetails: () => ["products", "detail"] as const,
  productDetail: (id: number) => ["products", "detail", id] as const,
  categories: () => ["categories"] as const,
  me: () => ["me"] as const,
  importJob: (id: string) => ["imports", id] as const,
  ops: () => ["ops"] as const,
};
