import { describe, expect, it } from "vitest";
import {
  cacheControl,
  cdnCacheControl,
  cacheTagHeader,
  policies,
  publicPolicy,
  queryTimings,
  PRIVATE,
} from "../src/index.ts";

describe("cache policy", () => {
  it("derives the brief's headers for a product list", () => {
    expect(cacheControl(policies.productList)).toBe(
      "public, s-maxage=60, stale-while-revalidate=300, stale-if-error=86400",
    );
    expect(cdnCacheControl(policies.productList)).toBe(
      "public, max-age=60, stale-while-revalidate=300, stale-if-error=86400",
    );
  });

  it("keeps private responses out of every shared tier and the browser's store", () => {
    expect(cacheControl(PRIVATE)).toBe("private, no-store");
    expect(cdnCacheControl(PRIVATE)).toBe("no-store");
  });

  it("gives browsers no max-age, so every refetch revalidates", () => {
    expect(cacheControl(policies.productDetail)).not.toMatch(/(^|[ ,])max-age/);
  });

  it("derives TanStack Query timings from the same numbers", () => {
    expect(queryTimings(policies.productList)).toEqual({ staleTime: 60_000, gcTime: 360_000 });
    expect(queryTimings(PRIVATE).staleTime).toBe(0);
  });

  it("omits zero windows and refuses nonsense", () => {
    expect(
      cacheControl(publicPolicy({ fresh: 10, staleWhileRevalidate: 0, staleIfError: 0 })),
    ).toBe("public, s-maxage=10");
    expect(() => publicPolicy({ fresh: 0, staleWhileRevalidate: 0, staleIfError: 0 })).toThrow();
    expect(() => publicPolicy({ fresh: 1.5, staleWhileRevalidate: 0, staleIfError: 0 })).toThrow();
  });

  it("validates tags", () => {
    expect(cacheTagHeader(["products", "product:42", "category:7"])).toBe(
      "products,product:42,category:7",
    );
    expect(() => cacheTagHeader(["bad tag"])).toThrow();
  });
});
