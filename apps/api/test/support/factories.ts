import crypto from "node:crypto";
import pg from "pg";
import { hashPassword } from "@strata/passwords";
import type { TestApi } from "./test-api.ts";

/** Direct SQL for test data, on a client of the test's own database. */
export async function connect(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return client;
}

let counter = 0;
/** A unique suffix for names and emails within one test file. */
export function unique(prefix = "t"): string {
  counter += 1;
  return `${prefix}${counter}${crypto.randomBytes(3).toString("hex")}`;
}

/** Inserts a category and returns its id. */
export async function createCategory(
  db: pg.Client,
  { slug = unique("cat"), name = `Category ${slug}` }: { slug?: string; name?: string } = {},
): Promise<{ id: number; slug: string; name: string }> {
  const { rows } = await db.query<{ id: string }>(
    "INSERT INTO categories (slug, name) VALUES ($1, $2) RETURNING id",
    [slug, name],
  );
  return { id: Number(rows[0]!.id), slug, name };
}

export interface ProductSeed {
  categoryId: number;
  name?: string;
  description?: string;
  priceCents?: number;
  stock?: number;
  createdAt?: string;
}

/** Inserts products in one statement and returns their ids in order. */
export async function createProducts(db: pg.Client, products: ProductSeed[]): Promise<number[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO products (category_id, name, description, price_cents, stock, created_at)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::int[], $6::timestamptz[])
     RETURNING id`,
    [
      products.map((p) => p.categoryId),
      products.map((p) => p.name ?? unique("Product ")),
      products.map((p) => p.description ?? ""),
      products.map((p) => p.priceCents ?? 1000),
      products.map((p) => p.stock ?? 1),
      products.map((p) => p.createdAt ?? new Date().toISOString()),
    ],
  );
  return rows.map((r) => Number(r.id));
}

/** A password that passes the policy. */
export const PASSWORD = "correct horse battery staple";

/** Inserts a user with `role` directly (register only makes customers). */
export async function createUser(
  db: pg.Client,
  api: TestApi,
  { email = `${unique("user")}@example.test`, role = "customer", password = PASSWORD } = {},
): Promise<{ id: number; email: string; password: string }> {
  const hash = await hashPassword(password, api.config.argon2);
  const { rows } = await db.query<{ id: string }>(
    "INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3) RETURNING id",
    [email, hash, role],
  );
  return { id: Number(rows[0]!.id), email, password };
}

/** Logs in through the API and returns the session token. */
export async function login(api: TestApi, email: string, password = PASSWORD): Promise<string> {
  const response = await fetch(`${api.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** A user of `role`, logged in: its id, email and bearer token. */
export async function loggedIn(
  db: pg.Client,
  api: TestApi,
  role: "customer" | "admin" = "customer",
): Promise<{ id: number; email: string; token: string }> {
  const user = await createUser(db, api, { role });
  return { id: user.id, email: user.email, token: await login(api, user.email) };
}
