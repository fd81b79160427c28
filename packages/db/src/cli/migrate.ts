import { ConfigError, loadDatabaseToolConfig } from "@strata/config";
import { migrate } from "../migrate.ts";

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL. */
try {
  const config = loadDatabaseToolConfig();
  const result = await migrate(config.db.url);
  console.log(
    result.applied.length
      ? `applied ${result.applied.length} migration(s): ${result.applied.join(", ")}`
      : `database is up to date (${result.alreadyApplied} migration(s) applied before)`,
  );
} catch (error) {
  console.error(
    error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`,
  );
  process.exitCode = 1;
}
