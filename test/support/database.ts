import crypto from "node:crypto";
import { inject } from "vitest";
import pg from "pg";

/**
 * Creates a fresh, migrated database for one test file (a clone of the template made by the
 * global setup) and returns its URL: through PgBouncer in STRATA_TEST_PGBOUNCER=1 runs,
 * where `directUrl` still reaches PostgreSQL itself. Drop it with the returned function.
 */
export async function createTestDatabase(): Promise<{
  url: string;
  directUrl: string;
  drop: () => Promise<void>;
}> {
  const adminUrl = inject("postgresAdminUrl");
  const template = inject("postgresTemplate");
  const name = `strata_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  const direct = new URL(adminUrl);
  direct.pathname = `/${name}`;
  const pooled = inject("pgbouncerUrl") ? new URL(inject("pgbouncerUrl")) : undefined;
  if (pooled) pooled.pathname = `/${name}`;
  return {
    url: (pooled ?? direct).toString(),
    directUrl: direct.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
