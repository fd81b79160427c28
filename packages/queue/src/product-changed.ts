/**
 * The one place where storage and job code says "these products' representations changed":
 * an image was added, thumbnails were written, an import upserted rows. Cached copies of those
 * products (app cache, nginx, CDN, browsers) must then be invalidated.
 *
 * The cache work (its own issue) wires the actual invalidation in by registering a listener
 * with `onProductChanged` in each process (API and worker) that publishes on its invalidation
 * bus. Until then nothing listens and publishing is a no-op.
 */
export interface ProductChange {
  productIds: number[];
  reason: "image-added" | "thumbnails" | "import";
}

export type ProductChangeListener = (change: ProductChange) => void | Promise<void>;

const listeners = new Set<ProductChangeListener>();

/** Registers a listener; returns the function that removes it. */
export function onProductChanged(listener: ProductChangeListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Tells every listener. Rejects when one of them failed, so a job can be retried (its handler
 * is idempotent) rather than leave readers with a stale copy.
 */
export async function publishProductChanged(change: ProductChange): Promise<void> {
  if (change.productIds.length === 0) return;
  const results = await Promise.allSettled([...listeners].map(async (l) => l(change)));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failures.length > 0) {
    throw new AggregateError(
      failures.map((f) => f.reason as Error),
      "product change not published",
    );
  }
}
