/** Request paths for the miss scenarios: each one a cache key no earlier request used. */

/** A keyset cursor as the API hands them out (see apps/api/src/services/catalogue). */
export function priceCursor(priceCents: number, id: number): string {
  return Buffer.from(JSON.stringify({ v: 1, s: "price", k: priceCents, i: id }), "utf8").toString(
    "base64url",
  );
}

/**
 * Product detail paths over ids [1, products], a disjoint slice per slot, shuffled so
 * consecutive requests do not read neighbouring pages of the table.
 */
export function uniqueDetailPaths(products: number, slot: number, count: number): string[] {
  const start = (slot * count) % Math.max(1, products);
  const ids = Array.from({ length: count }, (_, i) => ((start + i) % products) + 1);
  return shuffle(ids, slot + 1).map((id) => `/api/products/${id}`);
}

/**
 * Product-list paths sorted by price, positioned at `priceCents` (a price found deep in the
 * catalogue, e.g. at 99 % of it): the cursor's id part varies, so every path is its own
 * cache key, while the position (and so the work PostgreSQL does) stays the same.
 */
export function deepCursorPaths(priceCents: number, slot: number, count: number): string[] {
  const base = 1_000_000_000 + slot * count * 7;
  return Array.from(
    { length: count },
    (_, i) => `/api/products?sort=price&limit=20&cursor=${priceCursor(priceCents, base + i * 7)}`,
  );
}

/** A deterministic shuffle (same seed, same order): runs can be repeated exactly. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
