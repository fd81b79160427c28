/**
 * One declaration per cacheable response; every tier's behaviour is derived from it:
 * the browser's and nginx's `Cache-Control`, the CDN's `CDN-Cache-Control`, the application
 * cache's time to live and grace, and the front end's TanStack Query timings.
 */
export interface PublicPolicy {
  visibility: "public";
  /** Seconds a shared cache (CDN, nginx, app cache) may serve the response as fresh. */
  fresh: number;
  /** Seconds after `fresh` during which a stale copy may be served while one refresh runs. */
  staleWhileRevalidate: number;
  /** Seconds after `fresh` during which a stale copy may be served if the origin fails. */
  staleIfError: number;
}

/** Per-user or otherwise private data: no shared tier may hold it, the browser may not store it. */
export interface PrivatePolicy {
  visibility: "private";
}

export type CachePolicy = PublicPolicy | PrivatePolicy;

export const PRIVATE: PrivatePolicy = { visibility: "private" };

/** Declares a public policy, checking its numbers once. */
export function publicPolicy(p: Omit<PublicPolicy, "visibility">): PublicPolicy {
  for (const [name, value] of Object.entries(p)) {
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`cache policy ${name} must be a whole number of seconds`);
  }
  if (p.fresh === 0)
    throw new Error("a public policy needs fresh > 0; use PRIVATE or no-store instead");
  return { visibility: "public", ...p };
}

/**
 * What a cacheable route's `404` may be kept for: the route's freshness and no stale windows.
 * Shared caches then hold the 404 of a deleted resource like its 200 before it, so a refresh
 * after the delete replaces the stored 200 (a 404 nobody may store would leave it in place
 * until it expired), and a 404 is never served past its freshness or in place of an error.
 */
export function notFoundPolicy(policy: PublicPolicy): PublicPolicy {
  return { visibility: "public", fresh: policy.fresh, staleWhileRevalidate: 0, staleIfError: 0 };
}

/** Static, content-hashed assets: their URL changes whenever their bytes do. */
export const IMMUTABLE_SECONDS = 31_536_000;
