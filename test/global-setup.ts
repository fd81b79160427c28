import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrate } from "@strata/db";
import {
  startPgBouncer,
  startPostgres,
  type PgBouncerServer,
  type PostgresServer,
} from "@strata/local-servers";
import pg from "pg";

declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    postgresTemplate: string;
    /** PgBouncer's URL (any database name) in STRATA_TEST_PGBOUNCER=1 runs; "" otherwise. */
    pgbouncerUrl: string;
  }
}

let server: PostgresServer | undefined;
let pgbouncer: PgBouncerServer | undefined;
let dataDir: string | undefined;

/**
 * Starts one private PostgreSQL server for the whole run and migrates a template database;
 * each test file clones the template (CREATE DATABASE ... TEMPLATE) so no file sees another's
 * data.
 *
 * With STRATA_TEST_PGBOUNCER=1 a real PgBouncer (transaction mode) runs in front of it, and
 * test databases are handed out as PgBouncer URLs (`?pgbouncer=true`); the template is still
 * migrated and cloned over direct connections, as production migrations are.
 */
export async function setup(project: TestProject): Promise<void> {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-test-pg-"));
  server = await startPostgres({
    dataDir,
    ephemeral: true,
    maxConnections: 400,
    database: "strata_template",
  });
  await migrate(server.url);
  // A template must have no open connections when it is cloned.
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query("ALTER DATABASE strata_template WITH ALLOW_CONNECTIONS false");
  await admin.end();
  project.provide("postgresAdminUrl", server.adminUrl);
  project.provide("postgresTemplate", "strata_template");
  if (process.env.STRATA_TEST_PGBOUNCER === "1") {
    pgbouncer = await startPgBouncer({
      dataDir: path.join(dataDir, "pgbouncer"),
      upstreamUrl: server.url,
      // Every test file has its own database, hence its own pool of server connections.
      defaultPoolSize: 20,
      maxClientConn: 2000,
    });
  }
  project.provide("pgbouncerUrl", pgbouncer?.url("postgres") ?? "");
}

export async function teardown(): Promise<void> {
  if (pgbouncer) console.log(await pgbouncerTraffic(pgbouncer));
  await pgbouncer?.stop();
  await server?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}

/** A line saying how much of the run went through PgBouncer, so the pass shows it was real. */
async function pgbouncerTraffic(bouncer: PgBouncerServer): Promise<string> {
  const admin = new pg.Client({ connectionString: bouncer.adminUrl });
  try {
    await admin.connect();
    // The admin console speaks the simple query protocol only: no parameters here.
    const { rows } = await admin.query<{ database: string; total_xact_count: string }>(
      "SHOW STATS",
    );
    const served = rows.filter((r) => r.database !== "pgbouncer");
    const transactions = served.reduce((sum, r) => sum + Number(r.total_xact_count), 0);
    // Totals are refreshed every stats_period, so the last seconds may be missing.
    return `PgBouncer (transaction mode) served ${transactions}+ transactions for ${served.length} test databases`;
  } catch (error) {
    return `PgBouncer statistics unavailable: ${(error as Error).message}`;
  } finally {
    await admin.end().catch(() => {});
  }
}
