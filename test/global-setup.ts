import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrate } from "@strata/db";
import { startPostgres, type PostgresServer } from "@strata/local-servers";
import pg from "pg";

declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    postgresTemplate: string;
  }
}

let server: PostgresServer | undefined;
let dataDir: string | undefined;

/**
 * Starts one private PostgreSQL server for the whole run and migrates a template database;
 * each test file clones the template (CREATE DATABASE ... TEMPLATE) so no file sees another's
 * data.
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
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}
