import { afterAll, beforeAll, expect, it } from "vitest";
import { createDatabase, type Database } from "@strata/db";
import { ProductRepository } from "../../src/services/catalogue/product-repository.ts";
import { createCategory } from "../support/factories.ts";
import { useApi } from "../support/suite.ts";

const s = useApi();
let database: Database;

beforeAll(() => {
  database = createDatabase(s.api.config.db);
});
afterAll(() => database?.close());

it("creates one product per idempotency key, even when the Redis record of the first is gone", async () => {
  const repository = new ProductRepository(database);
  const category = await createCategory(s.db);
  const input = {
    name: "Once only",
    description: "",
    priceCents: 100,
    stock: 1,
    categoryId: category.id,
  };
  // Two creates under one key, as a retry after an instance died between commit and record.
  const first = await repository.create(input, "user-1:key-a");
  const retry = await repository.create(input, "user-1:key-a");
  expect(retry.id).toBe(first.id);
  const other = await repository.create(input, "user-1:key-b");
  expect(other.id).not.toBe(first.id);
  const { rows } = await s.db.query(
    "SELECT count(*)::int AS n FROM products WHERE name = 'Once only'",
  );
  expect(rows[0].n).toBe(2);
  // Without a key every create is a new product.
  expect((await repository.create(input)).id).not.toBe((await repository.create(input)).id);
});
