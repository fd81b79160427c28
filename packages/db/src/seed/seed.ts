import type { Argon2Params } from "@strata/passwords";
import { ensureAdmin, type EnsureAdminResult } from "./ensure-admin.ts";
import {
  seedCatalogue,
  type SeedCatalogueOptions,
  type SeedCatalogueResult,
} from "./seed-catalogue.ts";

export interface SeedOptions extends Omit<SeedCatalogueOptions, "url"> {
  /** The first admin; omitted → no admin is created. */
  admin?: { email: string; password: string; argon2: Argon2Params };
}

export interface SeedResult {
  catalogue: SeedCatalogueResult;
  admin?: EnsureAdminResult;
}

/**
 * Everything `npm run db:seed` does, for the stack runner and tests: the catalogue (only
 * into an empty products table unless `reset`) and then the first admin (only if absent).
 * The database must be migrated.
 */
export async function seed(databaseUrl: string, options: SeedOptions = {}): Promise<SeedResult> {
  const { admin, ...catalogueOptions } = options;
  const catalogue = await seedCatalogue({ ...catalogueOptions, url: databaseUrl });
  if (!admin) return { catalogue };
  return { catalogue, admin: await ensureAdmin({ url: databaseUrl, ...admin }) };
}
