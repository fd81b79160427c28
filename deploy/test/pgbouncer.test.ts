import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDatabaseToolConfig } from "@strata/config";
import { createDatabase } from "@strata/db";
import { freePort, type ManagedProcess } from "@strata/local-servers";
import { createTestDatabase } from "../../test/support/database.ts";
import { loadCompose } from "./support/compose.ts";
import { containerEnv, containerNamed, find, k8sDir } from "./support/k8s.ts";
import { renderKustomization } from "./support/kustomize.ts";
import { entrypointRefusal, runEntrypoint } from "./support/pgbouncer-entrypoint.ts";
import { deployDir } from "./support/paths.ts";

/**
 * The PgBouncer container's entrypoint (deploy/pgbouncer/entrypoint.sh), run here with the
 * environment Compose and Kubernetes give it, in front of the test PostgreSQL, with Debian's
 * pgbouncer: the configuration the images would write is the one proven to work.
 */
describe("PgBouncer as the containers run it", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let upstream: URL;
  let workDir: string;
  const running: ManagedProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    upstream = new URL(database.directUrl);
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-pgbouncer-entrypoint-"));
    fs.chmodSync(workDir, 0o755);
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop("SIGINT", 10_000)));
    await database?.drop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  /** The deployment's PgBouncer environment, pointed at the test server on a free port. */
  async function start(deployed: Record<string, string>, overrides: Record<string, string> = {}) {
    const port = await freePort();
    const env = {
      ...deployed,
      PGBOUNCER_DB_HOST: upstream.hostname,
      PGBOUNCER_DB_PORT: upstream.port,
      PGBOUNCER_DB_NAME: upstream.pathname.slice(1),
      PGBOUNCER_DB_USER: decodeURIComponent(upstream.username),
      PGBOUNCER_DB_PASSWORD: decodeURIComponent(upstream.password),
      PGBOUNCER_LISTEN_ADDR: "127.0.0.1",
      PGBOUNCER_PORT: String(port),
      // The test server has no TLS; production's `require` is checked by the manifests test.
      PGBOUNCER_SERVER_TLS_SSLMODE: "disable",
      ...overrides,
    };
    const dir = fs.mkdtempSync(path.join(workDir, "run-"));
    fs.chmodSync(dir, 0o755);
    running.push(await runEntrypoint(env, path.join(dir, "config")));
    const url = new URL(database.directUrl);
    url.host = `127.0.0.1:${port}`;
    url.username = encodeURIComponent(env.PGBOUNCER_DB_USER);
    url.password = encodeURIComponent(env.PGBOUNCER_DB_PASSWORD);
    url.searchParams.set("pgbouncer", "true");
    return { url: url.toString(), env };
  }

  it("with Compose's environment: transaction mode, and the statement timeout set server-side", async () => {
    const compose = loadCompose(
      path.join(deployDir, "compose", "compose.yaml"),
      path.join(deployDir, "compose", ".env.example"),
    );
    const deployed = compose.project.services.pgbouncer!.environment!;
    const { url } = await start(deployed, { DB_STATEMENT_TIMEOUT_MS: "300" });

    // The application's own pool, as configured from a ?pgbouncer=true URL.
    const db = createDatabase(loadDatabaseToolConfig({ DATABASE_URL: url }).db);
    try {
      expect((await db.query("SHOW statement_timeout")).rows[0]).toEqual({
        statement_timeout: "300ms",
      });
      const started = Date.now();
      await expect(db.query("SELECT pg_sleep(5)")).rejects.toMatchObject({ code: "57014" });
      expect(Date.now() - started).toBeLessThan(3_000);
      // Transaction mode: SET LOCAL holds for its transaction, which is how strata sets things.
      const inside = await db.transaction(async (client) => {
        await client.query("SET LOCAL statement_timeout = 12345");
        return (await client.query("SHOW statement_timeout")).rows[0].statement_timeout;
      });
      expect(inside).toBe("12345ms");
      expect((await db.query("SHOW statement_timeout")).rows[0]?.statement_timeout).toBe("300ms");
    } finally {
      await db.close();
    }

    const admin = new pg.Client({ connectionString: url.replace(/\/[^/?]+\?.*$/, "/pgbouncer") });
    await admin.connect();
    try {
      const pools = (await admin.query("SHOW POOLS")).rows as {
        database: string;
        pool_mode: string;
      }[];
      expect(pools.find((p) => p.database === upstream.pathname.slice(1))?.pool_mode).toBe(
        "transaction",
      );
      const config = (await admin.query("SHOW CONFIG")).rows as { key: string; value: string }[];
      const value = (key: string) => config.find((c) => c.key === key)?.value;
      expect(value("max_client_conn")).toBe(deployed.PGBOUNCER_MAX_CLIENT_CONN);
      expect(value("default_pool_size")).toBe(deployed.PGBOUNCER_DEFAULT_POOL_SIZE);
      expect(value("max_db_connections")).toBe(deployed.PGBOUNCER_MAX_DB_CONNECTIONS);
    } finally {
      await admin.end();
    }
  });

  it("refuses a client that sends statement_timeout at connect: why the URL carries the flag", async () => {
    const { url } = await start({ DB_STATEMENT_TIMEOUT_MS: "5000" });
    const client = new pg.Client({
      connectionString: url.replace("?pgbouncer=true", ""),
      statement_timeout: 5000,
    });
    await expect(client.connect()).rejects.toThrow(
      /unsupported startup parameter: statement_timeout/,
    );
    await client.end().catch(() => {});
  });

  it("with Kubernetes' environment, and a password that needs quoting in the auth file", async () => {
    const objects = renderKustomization(path.join(k8sDir, "overlays", "production"));
    const deployed = containerEnv(
      objects,
      containerNamed(find(objects, "Deployment", "strata-pgbouncer"), "pgbouncer"),
    );
    // A role of its own (roles are server-wide: a unique name, dropped afterwards).
    const role = `pgb_${Date.now().toString(36)}`;
    const password = `it's "quoted" $and; long`;
    const admin = new pg.Client({ connectionString: database.directUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password.replaceAll("'", "''")}'`);
      await admin.query(`GRANT CONNECT ON DATABASE "${upstream.pathname.slice(1)}" TO ${role}`);
      const { url } = await start(deployed, {
        PGBOUNCER_DB_USER: role,
        PGBOUNCER_DB_PASSWORD: password,
      });
      const db = createDatabase(loadDatabaseToolConfig({ DATABASE_URL: url }).db);
      try {
        expect((await db.query("SELECT current_user AS who")).rows[0]).toEqual({ who: role });
        expect((await db.query("SHOW statement_timeout")).rows[0]?.statement_timeout).toBe("5s");
      } finally {
        await db.close();
      }
    } finally {
      await Promise.all(running.splice(0).map((p) => p.stop("SIGINT", 10_000)));
      await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
      await admin.end();
    }
  });

  it("refuses values that would rewrite its configuration, or that are missing", () => {
    const base = {
      PGBOUNCER_DB_HOST: "db",
      PGBOUNCER_DB_NAME: "strata",
      PGBOUNCER_DB_USER: "strata",
      PGBOUNCER_DB_PASSWORD: "x",
    };
    const dir = path.join(workDir, "refused");
    expect(entrypointRefusal({ ...base, PGBOUNCER_DB_HOST: "db\nlisten_port = 1" }, dir)).toMatch(
      /PGBOUNCER_DB_HOST must be/,
    );
    expect(entrypointRefusal({ ...base, PGBOUNCER_MAX_CLIENT_CONN: "lots" }, dir)).toMatch(
      /PGBOUNCER_MAX_CLIENT_CONN must be a whole number/,
    );
    expect(entrypointRefusal({ ...base, DB_STATEMENT_TIMEOUT_MS: "5s; DROP" }, dir)).toMatch(
      /DB_STATEMENT_TIMEOUT_MS must be a whole number/,
    );
    const { PGBOUNCER_DB_PASSWORD: _, ...withoutPassword } = base;
    expect(entrypointRefusal(withoutPassword, dir)).toMatch(/PGBOUNCER_DB_PASSWORD/);
    expect(fs.existsSync(path.join(dir, "pgbouncer.ini"))).toBe(false);
  });
});
