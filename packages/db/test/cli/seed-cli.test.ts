import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDatabase } from "../../../../test/support/database.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const tsx = path.join(root, "node_modules/.bin/tsx");
const cli = path.join(root, "packages/db/src/cli/seed.ts");
const ADMIN_PASSWORD = "Seed-CLI-secret-4711";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run db:seed`'s program as a child, with only the environment given here. */
function runSeed(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      tsx,
      [cli, ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const noStackTrace = (run: Run) => expect(run.stderr).not.toMatch(/^\s+at /m);

describe("db:seed command", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase();
    env = {
      DATABASE_URL: db.url,
      ADMIN_EMAIL: "Owner@Example.com",
      ADMIN_PASSWORD,
      ARGON2_MEMORY_KIB: "8192",
      ARGON2_TIME_COST: "1",
    };
  });
  afterAll(() => db.drop());

  it.each([[["--products", "abc"]], [["--bogus"]], [["stray"]]])(
    "exits 2 with a message and the usage for %j",
    async (argv) => {
      const run = await runSeed(argv, env);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^db:seed: /);
      expect(run.stderr).toContain("usage: npm run db:seed");
      noStackTrace(run);
    },
  );

  it("prints the usage for --help without needing a database", async () => {
    const run = await runSeed(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--products N");
  });

  it("names a missing DATABASE_URL and exits 1", async () => {
    const run = await runSeed([]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("DATABASE_URL is required");
    noStackTrace(run);
  });

  it("seeds the catalogue and the admin, printing progress lines but never the password", async () => {
    const run = await runSeed(["--products", "300"], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("products: 300/300 (100%");
    expect(run.stdout).toMatch(/catalogue: seeded \d+ categories and 300 products/);
    expect(run.stdout).toContain("admin: created owner@example.com");
    expect(run.stdout + run.stderr).not.toContain(ADMIN_PASSWORD);

    const again = await runSeed(["--products", "300"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("300 products already present");
    expect(again.stdout).toContain("admin: owner@example.com already exists");
  });

  it("reseeds with --reset", async () => {
    const run = await runSeed(["--products", "50", "--reset"], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("and 50 products");
  });

  it("tells to migrate first when the tables are missing", async () => {
    const adminUrl = inject("postgresAdminUrl");
    const name = `strata_unmigrated_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const run = await runSeed([], { DATABASE_URL: url.toString() });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("run npm run db:migrate first");
      noStackTrace(run);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
