import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import {
  getProduct,
  listCategories,
  listProducts,
  type ProductFilter,
} from "../api/catalogue-api.ts";
import { queryKeys } from "./query-keys.ts";
import { timingsFor } from "./query-timings.ts";

/** One page per keyset cursor; the next page's cursor is the last page's `nextCursor`. */
export const productListQuery = (filter: ProductFilter) =>
  infiniteQueryOptions({
    queryKey: queryKeys.productList(filter),
    queryFn: ({ pageParam, signal }) => listProducts(filter, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    ...timingsFor("productList"),
  });

export const productQuery = (id: number) =>
  queryOptions({
    queryKey: queryKeys.productDetail(id),
    queryFn: ({ signal }) => getProduct(id, signal),
    ...timingsFor("productDetail"),
  });

export const categoriesQuery = () =>
  queryOptions({
    queryKey: queryKeys.categories(),
    queryFn: ({ signal }) => listCategories(signal),
    ...timingsFor("categories"),
  });
