import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, MIGRATIONS_DIR } from "../src/migrate.ts";
import { createTestDatabase } from "../../../test/support/database.ts";

describe("migrate", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it("is idempotent on an up-to-date database", async () => {
    const result = await migrate(db.url);
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied).toBe(
      fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith(".sql")).length,
    );
  });

  it("refuses a migration edited after it was applied", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-migrations-"));
    for (const f of fs.readdirSync(MIGRATIONS_DIR))
      fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
    const first = fs.readdirSync(dir).sort()[0]!;
    fs.appendFileSync(path.join(dir, first), "\n-- edited\n");
    await expect(migrate(db.url, dir)).rejects.toThrow(/was changed after it was applied/);
  });

  it("creates a case-insensitive unique email", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        "INSERT INTO users (email, password_hash) VALUES ('Ann@Example.com', 'x')",
      );
      await expect(
        client.query("INSERT INTO users (email, password_hash) VALUES ('ann@example.COM', 'x')"),
      ).rejects.toThrow(/users_email_lower_idx/);
    } finally {
      await client.end();
    }
  });
});
