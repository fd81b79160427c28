import { z } from "zod";
import { int, list, ms } from "./env-types.ts";

/** Application cache, nginx purge and CDN purge settings (the five cache tiers). */
export const cacheVars = {
  CACHE_L1_MAX_ENTRIES: int(0, 1_000_000)
    .default(10_000)
    .describe("entries the in-process L1 cache holds (0 turns L1 off)"),
  CACHE_L1_MAX_BYTES: int(1_024)
    .default(16_777_216)
    .describe(
      "bytes of response bodies the L1 cache holds at most (16 MiB by default, outside V8's heap); the least recently used go first",
    ),
  CACHE_L1_MAX_TTL_MS: ms(0)
    .default(5_000)
    .describe("upper bound on how long L1 trusts an entry without hearing from Redis"),
  CACHE_FILL_LOCK_MS: ms(100)
    .default(3_000)
    .describe("how long one instance may hold the cluster-wide lock while it fills a key"),
  CACHE_BREAKER_MS: ms(100)
    .default(5_000)
    .describe("after a cache Redis failure, the app cache is bypassed this long before retrying"),
  CACHE_ACK_TIMEOUT_MS: ms(10)
    .default(500)
    .describe("a write waits at most this long for every instance to confirm it dropped L1 copies"),
  NGINX_PURGE_URLS: list
    .default([])
    .describe(
      "comma-separated base URLs of each nginx's internal refresh listener (http://nginx:8081); empty: no nginx refresh",
    ),
  CDN_PROVIDER: z
    .enum(["none", "cloudfront", "cloudflare"])
    .default("none")
    .describe("CDN to purge on writes; none logs the purge it would send"),
  CLOUDFRONT_DISTRIBUTION_ID: z
    .string()
    .optional()
    .describe("CloudFront distribution to invalidate"),
  CLOUDFLARE_ZONE_ID: z.string().optional().describe("Cloudflare zone to purge by cache tag"),
  CLOUDFLARE_API_TOKEN: z
    .string()
    .optional()
    .describe("Cloudflare API token with cache purge permission; never logged"),
};

export interface CacheConfig {
  l1MaxEntries: number;
  l1MaxBytes: number;
  l1MaxTtlMs: number;
  fillLockMs: number;
  breakerMs: number;
  ackTimeoutMs: number;
  nginxPurgeUrls: string[];
  cdn:
    | { provider: "none" }
    | { provider: "cloudfront"; distributionId: string }
    | { provider: "cloudflare"; zoneId: string; apiToken: string };
}

type CacheValues = z.infer<z.ZodObject<typeof cacheVars>>;

export function checkCacheValues(v: CacheValues, problems: string[]): void {
  // Each refresh is `${base}${path}`: anything but a bare origin failed every refresh of every
  // write, each with only a warning, and nginx kept serving what the write replaced.
  for (const url of v.NGINX_PURGE_URLS) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(url)) {
      problems.push(`NGINX_PURGE_URLS: ${url} is not a base URL such as http://nginx:8081`);
    }
  }
  if (v.CDN_PROVIDER === "cloudfront" && !v.CLOUDFRONT_DISTRIBUTION_ID) {
    problems.push("CLOUDFRONT_DISTRIBUTION_ID is required when CDN_PROVIDER=cloudfront");
  }
  if (v.CDN_PROVIDER === "cloudflare" && (!v.CLOUDFLARE_ZONE_ID || !v.CLOUDFLARE_API_TOKEN)) {
    problems.push(
      "CLOUDFLARE_ZONE_ID and CLOUDFLARE_API_TOKEN are required when CDN_PROVIDER=cloudflare",
    );
  }
}

export function toCacheConfig(v: CacheValues): CacheConfig {
  const cdn: CacheConfig["cdn"] =
    v.CDN_PROVIDER === "cloudfront"
      ? { provider: "cloudfront", distributionId: v.CLOUDFRONT_DISTRIBUTION_ID! }
      : v.CDN_PROVIDER === "cloudflare"
        ? {
            provider: "cloudflare",
            zoneId: v.CLOUDFLARE_ZONE_ID!,
            apiToken: v.CLOUDFLARE_API_TOKEN!,
          }
        : { provider: "none" };
  return {
    l1MaxEntries: v.CACHE_L1_MAX_ENTRIES,
    l1MaxBytes: v.CACHE_L1_MAX_BYTES,
    l1MaxTtlMs: v.CACHE_L1_MAX_TTL_MS,
    fillLockMs: v.CACHE_FILL_LOCK_MS,
    breakerMs: v.CACHE_BREAKER_MS,
    ackTimeoutMs: v.CACHE_ACK_TIMEOUT_MS,
    nginxPurgeUrls: v.NGINX_PURGE_URLS.map((u) => u.replace(/\/$/, "")),
    cdn,
  };
}
