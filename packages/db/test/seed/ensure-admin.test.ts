import pg from "pg";
import { verifyPassword } from "@strata/passwords";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAdmin } from "../../src/seed/ensure-admin.ts";
import { createTestDatabase } from "../../../../test/support/database.ts";

// Cheap parameters: the test is about the account, not argon2's cost.
const argon2 = { memoryCost: 8 * 1024, timeCost: 1, parallelism: 1 };
const password = "a long admin password";

describe("ensureAdmin", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: pg.Client;
  const user = async (email: string) =>
    (
      await client.query<{ email: string; role: string; password_hash: string }>(
        "SELECT email, role, password_hash FROM users WHERE lower(email) = lower($1)",
        [email],
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it("creates an admin with an argon2id hash, email in lower case", async () => {
    const result = await ensureAdmin({
      url: db.url,
      email: " Admin@Example.COM ",
      password,
      argon2,
    });
    expect(result).toEqual({ status: "created", email: "admin@example.com" });
    const [row] = await user("admin@example.com");
    expect(row).toMatchObject({ email: "admin@example.com", role: "admin" });
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row!.password_hash, password)).toBe(true);
    expect(JSON.stringify(result)).not.toContain(password);
  });

  it("leaves an existing admin's password alone", async () => {
    const [before] = await user("admin@example.com");
    const result = await ensureAdmin({
      url: db.url,
      email: "ADMIN@example.com",
      password: "a different password",
      argon2,
    });
    expect(result).toEqual({ status: "exists", email: "admin@example.com", role: "admin" });
    expect((await user("admin@example.com"))[0]!.password_hash).toBe(before!.password_hash);
  });

  it("never promotes a customer who registered the admin's email first", async () => {
    await client.query(
      "INSERT INTO users (email, password_hash, role) VALUES ('boss@example.com', 'x', 'customer')",
    );
    const result = await ensureAdmin({ url: db.url, email: "Boss@Example.com", password, argon2 });
    expect(result).toEqual({ status: "exists", email: "boss@example.com", role: "customer" });
    expect((await user("boss@example.com"))[0]).toMatchObject({
      role: "customer",
      password_hash: "x",
    });
  });
});
