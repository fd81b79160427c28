import pg from "pg";
import { hashPassword } from "@strata/passwords";

/** Cheap argon2 parameters; the test instances use the same (testConfig). */
const ARGON2 = { memoryCost: 8192, timeCost: 1, parallelism: 1 };

/** Inserts a user straight into the test database and returns its id. */
export async function insertUser(
  databaseUrl: string,
  email: string,
  password: string,
  role: "customer" | "admin" = "customer",
): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      "INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3) RETURNING id",
      [email, await hashPassword(password, ARGON2), role],
    );
    return Number(rows[0]!.id);
  } finally {
    await client.end();
  }
}
