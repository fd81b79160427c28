import { describe, expect, it } from "vitest";
import {
  changesFrom,
  draftProblems,
  parsePrice,
  rebase,
  type ProductDraft,
} from "../src/pages/admin/product-draft.ts";

const base: ProductDraft = {
  name: "Chair",
  description: "",
  price: "10.00",
  stock: "5",
  categoryId: "1",
};

describe("product drafts", () => {
  it("parses prices in cents and refuses what is not an amount", () => {
    expect(parsePrice("12.5")).toBe(1250);
    expect(parsePrice("12,99")).toBe(1299);
    expect(parsePrice("0")).toBe(0);
    expect(parsePrice("1.234")).toBeNaN();
    expect(parsePrice("-3")).toBeNaN();
  });

  it("sends only the fields that changed", () => {
    expect(changesFrom(base, { ...base, price: "11", stock: "5" })).toEqual({ priceCents: 1100 });
    expect(changesFrom(base, base)).toEqual({});
  });

  it("after a 412 keeps my edits over the current version and takes theirs elsewhere", () => {
    const mine = { ...base, stock: "7" };
    const current = { ...base, price: "42.42", name: "Chair (new)" };
    expect(rebase(base, mine, current)).toEqual({ ...current, stock: "7" });
  });

  it("names each problem a person can fix before sending", () => {
    expect(draftProblems({ ...base, name: " ", price: "x", stock: "-1", categoryId: "" })).toEqual({
      name: expect.any(String),
      price: expect.any(String),
      stock: expect.any(String),
      categoryId: expect.any(String),
    });
  });
});
