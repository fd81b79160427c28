import { describe, expect, it } from "vitest";
import { catalogueQueryKeys, queryKeysForTags } from "../src/live/tags-to-query-keys.ts";
import { queryKeys } from "../src/queries/query-keys.ts";

describe("queryKeysForTags", () => {
  it("maps the API's cache tags to the query keys that show that data", () => {
    expect(queryKeysForTags(["products", "product:42"])).toEqual([
      queryKeys.productLists(),
      queryKeys.productDetail(42),
    ]);
    expect(queryKeysForTags(["categories"])).toEqual([queryKeys.categories()]);
  });

  it("lists each key once and ignores tags it does not know", () => {
    expect(queryKeysForTags(["products", "category:shoes", "product:x", "users"])).toEqual([
      queryKeys.productLists(),
    ]);
  });

  it("prefix keys reach every list and detail (TanStack matches keys by prefix)", () => {
    const list = queryKeys.productList({ q: "chair" });
    expect(list.slice(0, 2)).toEqual([...queryKeys.productLists()]);
    expect(queryKeys.productDetail(7).slice(0, 1)).toEqual([...catalogueQueryKeys()[0]!]);
  });
});
