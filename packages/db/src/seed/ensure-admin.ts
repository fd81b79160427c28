import pg from "pg";
import { hashPassword, type Argon2Params } from "@strata/passwords";

export interface EnsureAdminOptions {
  url: string;
  email: string;
  /** Hashed with argon2id and then forgotten: never logged, never returned. */
  password: string;
  argon2: Argon2Params;
}

export type EnsureAdminResult =
  | { status: "created"; email: string }
  | { status: "exists"; email: string; role: "admin" | "customer" };

/**
 * Creates the first admin when no account has this email (in any case). An existing
 * account is left exactly as it is: its password may have been changed since, and an
 * existing customer is not promoted, or anyone who registered the admin's address before
 * the first seed would become admin with a password of their choosing.
 */
export async function ensureAdmin(options: EnsureAdminOptions): Promise<EnsureAdminResult> {
  // Stored as the API stores emails (trimmed, lower case), so login finds it either way.
  const email = options.email.trim().toLowerCase();
  const client = new pg.Client({ connectionString: options.url, application_name: "strata-seed" });
  client.on("error", () => {});
  await client.connect();
  try {
    const existing = await findRole(client, email);
    if (existing) return { status: "exists", email, role: existing };
    const hash = await hashPassword(options.password, options.argon2);
    const inserted = await client.query(
      `INSERT INTO users (email, password_hash, role) VALUES ($1, $2, 'admin')
       ON CONFLICT ((lower(email))) DO NOTHING`,
      [email, hash],
    );
    if (inserted.rowCount === 1) return { status: "created", email };
    // Another process created it between our SELECT and INSERT.
    return { status: "exists", email, role: (await findRole(client, email)) ?? "admin" };
  } finally {
    await client.end().catch(() => {});
  }
}

async function findRole(
  client: pg.ClientBase,
  email: string,
): Promise<"admin" | "customer" | undefined> {
  const { rows } = await client.query<{ role: "admin" | "customer" }>(
    "SELECT role FROM users WHERE lower(email) = lower($1)",
    [email],
  );
  return rows[0]?.role;
}
