import { ConfigError, loadDatabaseToolConfig } from "@strata/config";
import { seed } from "../seed/seed.ts";
import { parseSeedArgs, SEED_USAGE, UsageError } from "./seed-args.ts";
import { createSeedProgress } from "./seed-progress.ts";

/**
 * `npm run db:seed`: the deterministic catalogue (into an empty catalogue, or after
 * --reset) and the first admin from ADMIN_EMAIL / ADMIN_PASSWORD. Exit codes: 0 done,
 * 1 failed, 2 bad command line.
 */
async function main(): Promise<number> {
  let args;
  try {
    args = parseSeedArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`db:seed: ${error.message}\n\n${SEED_USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(SEED_USAGE);
    return 0;
  }
  const config = loadDatabaseToolConfig();
  const progress = createSeedProgress(process.stdout);
  const started = Date.now();
  let result;
  try {
    result = await seed(config.db.url, {
      products: args.products,
      reset: args.reset,
      seed: args.seed,
      onProgress: progress.onProgress,
      admin: config.admin && { ...config.admin, argon2: config.argon2 },
    });
  } finally {
    progress.stop();
  }
  const { catalogue, admin } = result;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    catalogue.seeded
      ? `catalogue: seeded ${catalogue.categories} categories and ${catalogue.products} products in ${seconds} s`
      : `catalogue: ${catalogue.products} products already present, nothing seeded (--reset reseeds)`,
  );
  // The password is never printed, only what happened to the account.
  if (!admin) console.log("admin: ADMIN_EMAIL / ADMIN_PASSWORD not set, no admin created");
  else if (admin.status === "created") console.log(`admin: created ${admin.email}`);
  else if (admin.role === "admin") console.log(`admin: ${admin.email} already exists`);
  else console.warn(`admin: ${admin.email} exists as a customer and was NOT made admin`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof ConfigError) console.error(error.message);
  else if ((error as { code?: string }).code === "42P01") {
    console.error(`seed failed: ${(error as Error).message} (run npm run db:migrate first)`);
  } else console.error(`seed failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
