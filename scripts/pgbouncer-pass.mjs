// Plain JavaScript: imported by scripts/test.mjs, which runs before any TypeScript loader.
import fs from "node:fs";
import path from "node:path";
import { root, run } from "./bootstrap.mjs";

/** Folders whose integration tests run a second time through PgBouncer. */
export const PGBOUNCER_SUITES = ["apps/api/test", "apps/worker/test"];

// A file that calls one of these reaches a test database (test/support/database.ts) from an
// API instance or a worker; the others are unit tests, or bring a PostgreSQL of their own.
const DATABASE_HELPERS =
  /\b(useApi|startBackends|startTestApi|startInstances|startWorkerBackends|createTestDatabase|spawnApi)\(/;

/**
 * The API and worker test files that use a test database, relative to the repository root:
 * the files `npm test` runs again with STRATA_TEST_PGBOUNCER=1.
 */
export function pgbouncerTestFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith(".test.ts")) {
        if (DATABASE_HELPERS.test(fs.readFileSync(path.join(root, rel), "utf8"))) files.push(rel);
      }
    }
  };
  for (const suite of PGBOUNCER_SUITES) if (fs.existsSync(path.join(root, suite))) walk(suite);
  return files.sort();
}

/**
 * Runs those files with a real PgBouncer (transaction mode) between the code under test and
 * PostgreSQL (test/global-setup.ts); migrations and template clones still connect directly.
 * `extra` are more vitest arguments (a -t filter, say).
 */
export function runPgBouncerPass(extra = []) {
  const files = pgbouncerTestFiles();
  console.log(`== tests through PgBouncer (${files.length} API and worker files)`);
  run("npx", ["vitest", "run", ...files, ...extra], {
    env: { ...process.env, STRATA_TEST_PGBOUNCER: "1" },
  });
}
