import { describe, expect, it } from "vitest";
import { CATEGORIES } from "../../src/seed/categories.ts";
import { productRows, SEED_EPOCH } from "../../src/seed/product-rows.ts";

const categoryIds = new Map(CATEGORIES.map((c, i) => [c.slug, i + 1]));
const rows = (count: number, seed = "strata") => [...productRows({ count, seed, categoryIds })];

describe("productRows", () => {
  it("is deterministic for a seed and changes with it", () => {
    expect(rows(50)).toEqual(rows(50));
    expect(rows(50)).not.toEqual(rows(50, "other"));
    // A longer run starts with the shorter one: --products only appends.
    expect(rows(100).slice(0, 50)).toEqual(rows(50));
  });

  it("makes rows that satisfy the products table's constraints", () => {
    const byId = new Map(CATEGORIES.map((c, i) => [i + 1, c]));
    for (const [categoryId, name, description, price, stock, created, updated] of rows(5_000)) {
      const category = byId.get(categoryId)!;
      expect(name.length).toBeGreaterThan(0);
      expect(name.length).toBeLessThanOrEqual(200);
      expect(description.length).toBeLessThanOrEqual(10_000);
      expect(price).toBeGreaterThanOrEqual(category.priceCents[0]);
      expect(price).toBeLessThanOrEqual(category.priceCents[1]);
      expect(stock).toBeGreaterThanOrEqual(0);
      expect(Date.parse(created)).toBeLessThanOrEqual(Date.parse(updated));
      expect(Date.parse(updated)).toBeLessThanOrEqual(SEED_EPOCH);
      expect(name).not.toMatch(/\b(\w+) \1\b/i); // no "Wireless Wireless Mouse"
    }
  });

  it("uses every category, some far more than others", () => {
    const counts = new Map<number, number>();
    for (const [categoryId] of rows(20_000))
      counts.set(categoryId, (counts.get(categoryId) ?? 0) + 1);
    expect(counts.size).toBe(CATEGORIES.length);
    const sizes = [...counts.values()];
    expect(Math.max(...sizes)).toBeGreaterThan(2 * Math.min(...sizes));
  });

  it("varies names and leaves some products out of stock", () => {
    const sample = rows(10_000);
    expect(new Set(sample.map((r) => r[1])).size).toBeGreaterThan(5_000);
    expect(sample.filter((r) => r[4] === 0).length).toBeGreaterThan(100);
  });
});

describe("CATEGORIES", () => {
  it("has 20-30 categories with unique, URL-safe slugs", () => {
    expect(CATEGORIES.length).toBeGreaterThanOrEqual(20);
    expect(CATEGORIES.length).toBeLessThanOrEqual(30);
    const slugs = CATEGORIES.map((c) => c.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const slug of slugs) expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
