import { describe, expect, test } from "vitest";
import { z } from "zod";
import {
  Email,
  IdParam,
  LoginRequest,
  MAX_PRICE_CENTS,
  Product,
  ProductCreate,
  ProductListQuery,
  ProductUpdate,
  RegisterRequest,
} from "../src/index.ts";

describe("contracts", () => {
  test("emails are trimmed and lower-cased", () => {
    expect(Email.parse("  Alice@Example.COM ")).toBe("alice@example.com");
    expect(Email.safeParse("alice").success).toBe(false);
  });

  test("request bodies are strict: unknown fields are errors naming them", () => {
    const result = RegisterRequest.safeParse({
      email: "a@b.test",
      password: "x".repeat(12),
      role: "admin",
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["role"] });
    expect(LoginRequest.safeParse({ email: "a@b.test", password: "x", extra: 1 }).success).toBe(
      false,
    );
  });

  test("product create: defaults, trimming, bounds", () => {
    expect(ProductCreate.parse({ name: " Lamp ", priceCents: 0, categoryId: 1 })).toEqual({
      name: "Lamp",
      description: "",
      priceCents: 0,
      stock: 0,
      categoryId: 1,
    });
    for (const bad of [
      { priceCents: MAX_PRICE_CENTS + 1 },
      { priceCents: -1 },
      { name: "a\u0000b" },
      { name: "\ud800" },
      { categoryId: 1.5 },
    ]) {
      expect(
        ProductCreate.safeParse({ name: "x", priceCents: 1, categoryId: 1, ...bad }).success,
      ).toBe(false);
    }
  });

  test("an out-of-range price names the real maximum, not the largest safe integer", () => {
    for (const priceCents of [1e300, MAX_PRICE_CENTS + 1]) {
      const result = ProductCreate.safeParse({ name: "x", priceCents, categoryId: 1 });
      expect(result.error?.issues[0]?.message).toContain(String(MAX_PRICE_CENTS));
    }
    const fraction = ProductCreate.safeParse({ name: "x", priceCents: 1.5, categoryId: 1 });
    expect(fraction.error?.issues[0]?.message).toMatch(/int/);
  });

  test("product update: partial, no defaults, at least one change", () => {
    expect(ProductUpdate.parse({ stock: 2 })).toEqual({ stock: 2 });
    expect(ProductUpdate.safeParse({ version: 3 }).success).toBe(false);
    expect(ProductUpdate.safeParse({}).success).toBe(false);
  });

  test("list query: limit 1..100 from text, default sort id", () => {
    expect(ProductListQuery.parse({})).toEqual({ limit: 20, sort: "id" });
    expect(ProductListQuery.parse({ limit: "100", sort: "-price" })).toEqual({
      limit: 100,
      sort: "-price",
    });
    for (const limit of ["0", "101", "x"])
      expect(ProductListQuery.safeParse({ limit }).success).toBe(false);
  });

  test("path ids are digits only", () => {
    expect(IdParam.parse("42")).toBe(42);
    for (const id of ["0", "-1", "1e3", "0x1", " 1", "1.0", "12345678901234567"]) {
      expect(IdParam.safeParse(id).success, id).toBe(false);
    }
  });

  test("the main schemas are registered for OpenAPI references", () => {
    expect(z.globalRegistry.get(Product)?.id).toBe("Product");
    expect(z.globalRegistry.get(ProductCreate)?.id).toBe("ProductCreate");
  });
});
