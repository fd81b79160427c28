import { CategoryList, Product, ProductList } from "@strata/contracts";
import { apiFetch } from "./api-client.ts";
import type { ProductFilter } from "./product-filter.ts";

export type { ProductFilter };

export const PAGE_SIZE = 24;

/** `/api/products?...` with the filter's fields in a fixed order (one URL, one cache entry). */
export function productListUrl(filter: ProductFilter, cursor?: string): string {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filter.q) params.set("q", filter.q);
  if (filter.category) params.set("category", filter.category);
  if (filter.sort && filter.sort !== "id") params.set("sort", filter.sort);
  if (cursor) params.set("cursor", cursor);
  return `/api/products?${params}`;
}

export const listProducts = (filter: ProductFilter, cursor?: string, signal?: AbortSignal) =>
  apiFetch(productListUrl(filter, cursor), ProductList, { signal });

export const getProduct = (id: number, signal?: AbortSignal) =>
  apiFetch(`/api/products/${id}`, Product, { signal });

export const listCategories = (signal?: AbortSignal) =>
  apiFetch("/api/categories", CategoryList, { signal });
