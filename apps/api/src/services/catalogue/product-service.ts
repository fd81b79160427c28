import type {
  Product,
  ProductCreate,
  ProductList,
  ProductListQuery,
  ProductUpdate,
} from "@strata/contracts";
import { HttpProblem, problems } from "../../http/problem.ts";
import { encodeCursor } from "../pagination/keyset-cursor.ts";
import type { ExpectedVersion, ProductRepository } from "./product-repository.ts";
import { toProduct } from "./product-row.ts";
import { SORTS } from "./product-sorts.ts";

/**
 * Catalogue use cases: what the product routes call. Writes come through here only, which is
 * where cache invalidation will hook in.
 */
export class ProductService {
  constructor(private readonly products: ProductRepository) {}

  async list(query: ProductListQuery): Promise<ProductList> {
    const rows = await this.products.listPage(query);
    const pageRows = rows.slice(0, query.limit);
    const last = pageRows.at(-1);
    let nextCursor: string | null = null;
    if (rows.length > query.limit && last) {
      const key = SORTS[query.sort].key ? { k: last.sort_key } : {};
      nextCursor = encodeCursor({ v: 1, s: query.sort, ...key, i: Number(last.id) });
    }
    return { items: pageRows.map(toProduct), nextCursor };
  }

  async get(id: number): Promise<Product> {
    const product = await this.products.findById(id);
    if (!product) throw problems.notFound(`no product ${id}`);
    return product;
  }

  async create(input: ProductCreate): Promise<Product> {
    try {
      return await this.products.create(input);
    } catch (error) {
      throw unknownCategory(error) ?? error;
    }
  }

  async update(
    id: number,
    changes: Omit<ProductUpdate, "version">,
    expected: ExpectedVersion,
  ): Promise<Product> {
    let result;
    try {
      result = await this.products.update(id, changes, expected);
    } catch (error) {
      throw unknownCategory(error) ?? error;
    }
    if (result.outcome === "missing") throw problems.notFound(`no product ${id}`);
    if (result.outcome === "stale") throw lostUpdate(result.current);
    return result.product;
  }

  async delete(id: number, expected: ExpectedVersion): Promise<void> {
    const result = await this.products.delete(id, expected);
    if (result.outcome === "missing") throw problems.notFound(`no product ${id}`);
    if (result.outcome === "stale") throw lostUpdate(result.current);
  }
}

/** 412 with what the client needs to retry: the current version and the product itself. */
function lostUpdate(current: Product) {
  return problems.preconditionFailed(
    `product ${current.id} has changed: it is at version ${current.version}; re-read it and retry`,
    { currentVersion: current.version, current },
  );
}

/** A foreign-key failure on category_id is the client naming a category that does not exist. */
function unknownCategory(error: unknown): HttpProblem | undefined {
  const e = error as { code?: string; constraint?: string };
  if (e.code !== "23503" || !e.constraint?.includes("category")) return undefined;
  return new HttpProblem({
    status: 422,
    title: "Unprocessable Content",
    detail: "categoryId names no category",
    errors: [{ field: "body.categoryId", message: "no such category" }],
  });
}
