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
import { productTags } from "./product-cache-keys.ts";

/** What a write must do around its transaction to keep every cache tier coherent. */
export interface WriteInvalidation {
  beforeWrite(tags: string[]): Promise<void>;
  afterWrite(tags: string[]): Promise<void>;
}

/**
 * Catalogue use cases: what the product routes call. Writes come through here only, and each
 * one is wrapped by the cache invalidation (see cache/invalidator.ts): tags bumped before the
 * transaction (refused when the cache cannot take it) and after its commit.
 */
export class ProductService {
  constructor(
    private readonly products: ProductRepository,
    private readonly invalidation: WriteInvalidation,
  ) {}

  /** Runs a write of product `id` (undefined: not known before the write) between the bumps. */
  async #invalidating<T extends { id: number } | void>(
    id: number | undefined,
    write: () => Promise<T>,
  ): Promise<T> {
    const before = id === undefined ? productTags.list : productTags.write(id);
    await this.invalidation.beforeWrite(before);
    // A write that fails changed nothing: the early bump only cost some cache misses.
    const result = await write();
    const writtenId = id ?? (result as { id: number }).id;
    await this.invalidation.afterWrite(productTags.write(writtenId));
    return result;
  }

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

  async create(input: ProductCreate, idempotencyKey?: string): Promise<Product> {
    return this.#invalidating(undefined, async () => {
      try {
        return await this.products.create(input, idempotencyKey);
      } catch (error) {
        throw unknownCategory(error) ?? error;
      }
    });
  }

  async update(
    id: number,
    changes: Omit<ProductUpdate, "version">,
    expected: ExpectedVersion,
  ): Promise<Product> {
    return this.#invalidating(id, async () => {
      let result;
      try {
        result = await this.products.update(id, changes, expected);
      } catch (error) {
        throw unknownCategory(error) ?? error;
      }
      if (result.outcome === "missing") throw problems.notFound(`no product ${id}`);
      if (result.outcome === "stale") throw lostUpdate(result.current);
      return result.product;
    });
  }

  async delete(id: number, expected: ExpectedVersion): Promise<void> {
    await this.#invalidating(id, async () => {
      const result = await this.products.delete(id, expected);
      if (result.outcome === "missing") throw problems.notFound(`no product ${id}`);
      if (result.outcome === "stale") throw lostUpdate(result.current);
    });
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
