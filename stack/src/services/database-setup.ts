import { loadDatabaseToolConfig } from "@strata/config";
import { migrate, seed } from "@strata/db";
import type { AdminCredentials } from "../admin-credentials.ts";

export interface DatabaseSetupResult {
  applied: string[];
  /** Products seeded now; undefined when the catalogue already had products. */
  seeded: number | undefined;
  existingProducts: number;
  /** What happened to the admin account. */
  admin: string;
}

/**
 * Migrations on every start (only what is new is applied, under an advisory lock); the
 * catalogue seed only into an empty catalogue, so data survives restarts; the first admin
 * only when no account has its email. The same functions as `npm run db:seed`, with argon2
 * parameters read from the environment as the seed command reads them.
 */
export async function setUpDatabase(
  url: string,
  options: { products: number; admin: AdminCredentials; env: NodeJS.ProcessEnv },
): Promise<DatabaseSetupResult> {
  const { applied } = await migrate(url);
  const config = loadDatabaseToolConfig({
    ...options.env,
    DATABASE_URL: url,
    ADMIN_EMAIL: options.admin.email,
    ADMIN_PASSWORD: options.admin.password,
  });
  const result = await seed(url, {
    products: options.products,
    admin: { email: options.admin.email, password: options.admin.password, argon2: config.argon2 },
  });
  const admin = result.admin;
  return {
    applied,
    seeded: result.catalogue.seeded ? result.catalogue.products : undefined,
    existingProducts: result.catalogue.products,
    admin:
      admin?.status === "created"
        ? `admin ${admin.email} created`
        : admin?.role === "customer"
          ? `warning: ${admin.email} exists as a customer and was NOT made admin`
          : `admin ${options.admin.email} already exists`,
  };
}
