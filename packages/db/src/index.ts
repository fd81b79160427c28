export { createDatabase, type Database, type PoolStats, type Queryable } from "./pool.ts";
export {
  DatabaseUnavailableError,
  PoolExhaustedError,
  isConnectionError,
  isTransientQueryError,
} from "./errors.ts";
export { migrate } from "./migrate.ts";
export { seed, type SeedOptions, type SeedResult } from "./seed/seed.ts";
export {
  seedCatalogue,
  DEFAULT_PRODUCTS,
  MAX_PRODUCTS,
  type SeedCatalogueOptions,
  type SeedCatalogueResult,
  type SeedProgress,
} from "./seed/seed-catalogue.ts";
export {
  ensureAdmin,
  type EnsureAdminOptions,
  type EnsureAdminResult,
} from "./seed/ensure-admin.ts";
export { CATEGORIES, type CategorySpec } from "./seed/categories.ts";
