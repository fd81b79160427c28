import type { QueryKey } from "@tanstack/react-query";
import { queryKeys } from "../queries/query-keys.ts";

/**
 * The one mapping from the API's cache tags (what a write changed, as `/api/events` announces
 * it) to the query keys that show that data. The tags are the same ones the API invalidates
 * its own tiers by: `products` (every list and search), `product:<id>`, `categories`,
 * `category:<slug>`.
 */
export function queryKeysForTags(tags: readonly string[]): QueryKey[] {
  const keys = new Map<string, QueryKey>();
  const add = (key: QueryKey) => keys.set(JSON.stringify(key), key);
  for (const tag of tags) {
    if (tag === "products") add(queryKeys.productLists());
    else if (tag === "categories") add(queryKeys.categories());
    else if (tag.startsWith("category:")) add(queryKeys.productLists());
    else if (tag.startsWith("product:")) {
      const id = Number(tag.slice("product:".length));
      if (Number.isSafeInteger(id) && id > 0) add(queryKeys.productDetail(id));
    }
  }
  return [...keys.values()];
}

/** After a reconnect events may have been missed: everything from the catalogue is suspect. */
export const catalogueQueryKeys = (): QueryKey[] => [queryKeys.products(), queryKeys.categories()];
