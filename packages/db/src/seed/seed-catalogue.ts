import pg from "pg";
import { CATEGORIES } from "./categories.ts";
import { copyRows } from "./copy-rows.ts";
import { PRODUCT_COLUMNS, productRows } from "./product-rows.ts";
import { dropSecondaryIndexes, recreateIndexes } from "./secondary-indexes.ts";
import { seedCategories } from "./seed-categories.ts";

export const DEFAULT_PRODUCTS = 10_000;
export const MAX_PRODUCTS = 10_000_000;
export const DEFAULT_SEED = "strata";

// Any fixed number, distinct from the migration lock: two processes seeding at once
// serialise, and the second finds the catalogue already there.
const SEED_LOCK = 7_210_432;

export interface SeedProgress {
  phase: "products" | "indexes" | "analyze";
  done: number;
  total: number;
}

export interface SeedCatalogueOptions {
  /** A direct connection URL (not through PgBouncer: the seed is one long transaction). */
  url: string;
  /** Products to generate; default 10,000. */
  products?: number;
  /** Empty the catalogue tables first (TRUNCATE … CASCADE) and seed again. */
  reset?: boolean;
  /** Same seed and count → identical catalogue. Default "strata". */
  seed?: string;
  /**
   * Drop the products table's secondary indexes for the load and build them afterwards.
   * Default: from 50,000 products, where it halves the time. The catalogue is the same
   * either way.
   */
  rebuildIndexes?: boolean;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedCatalogueResult {
  /** False when products already existed and `reset` was not asked for: nothing changed. */
  seeded: boolean;
  categories: number;
  products: number;
}

/**
 * Seeds the deterministic catalogue when `products` is empty (so restarts keep data) or
 * when `reset` is set. Everything happens in one transaction: a seed that fails half way
 * leaves the catalogue as it was.
 */
export async function seedCatalogue(options: SeedCatalogueOptions): Promise<SeedCatalogueResult> {
  const count = options.products ?? DEFAULT_PRODUCTS;
  if (!Number.isInteger(count) || count < 0 || count > MAX_PRODUCTS) {
    throw new RangeError(`products must be an integer from 0 to ${MAX_PRODUCTS}, got ${count}`);
  }
  const client = new pg.Client({ connectionString: options.url, application_name: "strata-seed" });
  // A dropped connection also rejects the running query; this keeps it from being fatal too.
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [SEED_LOCK]);
    // A role- or database-level statement_timeout must not cut a million-row COPY short.
    await client.query("SET LOCAL statement_timeout = 0");
    await client.query("SET LOCAL maintenance_work_mem = '256MB'");
    if (!options.reset) {
      const existing = await countProducts(client);
      if (existing > 0) {
        await client.query("COMMIT");
        return { seeded: false, categories: await countCategories(client), products: existing };
      }
    }
    await emptyCatalogue(client, options.reset ?? false);
    const categoryIds = await seedCategories(client);
    const products = await copyProducts(client, count, categoryIds, options);
    await client.query("COMMIT");
    options.onProgress?.({ phase: "analyze", done: 0, total: 1 });
    // Fresh statistics, or the planner guesses at a million rows and picks bad plans.
    await client.query("ANALYZE categories, products");
    options.onProgress?.({ phase: "analyze", done: 1, total: 1 });
    return { seeded: true, categories: CATEGORIES.length, products };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Ids restart at 1 so that the same arguments give the same ids too. Without `reset` the
 * products table is already empty: only its identity is reset, nothing is truncated.
 */
async function emptyCatalogue(client: pg.ClientBase, reset: boolean): Promise<void> {
  if (reset) {
    await client.query("TRUNCATE product_images, products, categories RESTART IDENTITY CASCADE");
    return;
  }
  await client.query("SELECT setval(pg_get_serial_sequence('products', 'id'), 1, false)");
  if ((await countCategories(client)) === 0) {
    await client.query("SELECT setval(pg_get_serial_sequence('categories', 'id'), 1, false)");
  }
}

// Maintaining seven indexes row by row costs far more than building them once after the
// load (measured in docs/decisions.md), so large seeds drop and rebuild them. The whole
// seed is one transaction, so no reader ever sees the table without its indexes.
const REBUILD_INDEXES_FROM = 50_000;

async function copyProducts(
  client: pg.ClientBase,
  count: number,
  categoryIds: Map<string, number>,
  options: SeedCatalogueOptions,
): Promise<number> {
  const onProgress = options.onProgress;
  const rebuild = options.rebuildIndexes ?? count >= REBUILD_INDEXES_FROM;
  const dropped = rebuild ? await dropSecondaryIndexes(client, "products") : [];
  onProgress?.({ phase: "products", done: 0, total: count });
  const copied = await copyRows(client, {
    table: "products",
    columns: PRODUCT_COLUMNS,
    rows: productRows({ count, seed: options.seed ?? DEFAULT_SEED, categoryIds }),
    onRows: (sent) => onProgress?.({ phase: "products", done: sent, total: count }),
  });
  if (dropped.length > 0) {
    onProgress?.({ phase: "indexes", done: 0, total: dropped.length });
    await recreateIndexes(client, dropped, (built) =>
      onProgress?.({ phase: "indexes", done: built, total: dropped.length }),
    );
  }
  return copied;
}

async function countProducts(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM products");
  return Number(rows[0]!.n);
}

async function countCategories(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM categories");
  return Number(rows[0]!.n);
}
