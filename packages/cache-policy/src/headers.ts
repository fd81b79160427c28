import { IMMUTABLE_SECONDS, type CachePolicy } from "./policy.ts";

/**
 * `Cache-Control` for browsers and nginx. Public: `s-maxage` gives shared caches the
 * freshness; browsers get no `max-age`, so they revalidate (ETag → 304) whenever the front end
 * refetches, and the front end's `staleTime` decides how often that is. Private:
 * `private, no-store` — no shared cache may keep it and the browser stores nothing.
 */
export function cacheControl(policy: CachePolicy): string {
  if (policy.visibility === "private") return "private, no-store";
  const parts = ["public", `s-maxage=${policy.fresh}`];
  if (policy.staleWhileRevalidate > 0)
    parts.push(`stale-while-revalidate=${policy.staleWhileRevalidate}`);
  if (policy.staleIfError > 0) parts.push(`stale-if-error=${policy.staleIfError}`);
  return parts.join(", ");
}

/**
 * `CDN-Cache-Control` (RFC 9213): a CDN that honours it ignores `Cache-Control`, so it carries
 * the shared freshness as `max-age` plus the stale windows. Private responses say `no-store`
 * to the CDN too.
 */
export function cdnCacheControl(policy: CachePolicy): string {
  if (policy.visibility === "private") return "no-store";
  const parts = ["public", `max-age=${policy.fresh}`];
  if (policy.staleWhileRevalidate > 0)
    parts.push(`stale-while-revalidate=${policy.staleWhileRevalidate}`);
  if (policy.staleIfError > 0) parts.push(`stale-if-error=${policy.staleIfError}`);
  return parts.join(", ");
}

/** Headers for content-addressed files (hashed assets, uploaded images). */
export function immutableCacheControl(): string {
  return `public, max-age=${IMMUTABLE_SECONDS}, immutable`;
}

/** Comma-separated tags a CDN can purge by (Cloudflare `Cache-Tag`, Fastly `Surrogate-Key`). */
export function cacheTagHeader(tags: readonly string[]): string {
  for (const tag of tags) {
    if (!/^[a-z0-9:_-]{1,64}$/.test(tag)) throw new Error(`invalid cache tag "${tag}"`);
  }
  return tags.join(",");
}
