/** The admin calls the harnesses make: log in, create their own products. */

export interface AdminSession {
  token: string;
}

/** Logs in as the stack's admin; the token is used as `Authorization: Bearer`. */
export async function adminSession(
  baseUrl: string,
  admin: { email: string; password: string },
): Promise<AdminSession> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(admin),
  });
  if (response.status !== 200) {
    throw new Error(`admin login failed: ${response.status} ${await response.text()}`);
  }
  const body = (await response.json()) as { token: string };
  return { token: body.token };
}

/** The first category's id (any will do for products the harness makes). */
export async function firstCategoryId(baseUrl: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/categories`);
  const body = (await response.json()) as { items: { id: number }[] };
  if (!body.items[0]) throw new Error("the catalogue has no categories");
  return body.items[0].id;
}

/**
 * Creates `count` products named `bench-…` for the write scenarios, so a benchmark only ever
 * changes rows it made itself.
 */
export async function createBenchProducts(
  baseUrl: string,
  token: string,
  count: number,
): Promise<number[]> {
  const categoryId = await firstCategoryId(baseUrl);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${baseUrl}/api/products`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: `bench-${Date.now()}-${i}`, priceCents: 100 + i, categoryId }),
    });
    if (response.status !== 201) {
      throw new Error(
        `creating a bench product failed: ${response.status} ${await response.text()}`,
      );
    }
    ids.push(((await response.json()) as { id: number }).id);
  }
  return ids;
}
