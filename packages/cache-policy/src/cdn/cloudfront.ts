import { IMMUTABLE_SECONDS, type CachePolicy } from "../policy.ts";

export interface CdnInputs {
  /** Every route policy; the API path behaviour must allow the longest shared freshness. */
  policies: readonly CachePolicy[];
  sessionCookie: string;
  originDomain: string;
}

/**
 * CloudFront configuration for strata, derived from the cache policies: `/assets/*` cached a
 * year (content-hashed names), `/api/*` origin-controlled — CloudFront then follows
 * `s-maxage`/`stale-while-revalidate`/`stale-if-error` within [MinTTL, MaxTTL] and stores nothing
 * for `private, no-store` — and every viewer redirected to HTTPS. The session cookie and
 * Authorization reach the origin; requests carrying them get cache keys of their own, so no
 * shared entry can ever be answered with one user's response.
 */
export function cloudFrontConfig({ policies, sessionCookie, originDomain }: CdnInputs) {
  const longestShared = Math.max(
    0,
    ...policies.map((p) =>
      p.visibility === "public" ? p.fresh + Math.max(p.staleWhileRevalidate, p.staleIfError) : 0,
    ),
  );
  const originId = "strata-nginx";
  const behaviour = (
    pathPattern: string,
    cachePolicyName: string,
    originRequestPolicyName: string,
  ) => ({
    PathPattern: pathPattern,
    TargetOriginId: originId,
    ViewerProtocolPolicy: "redirect-to-https",
    Compress: true,
    AllowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
    CachedMethods: ["GET", "HEAD"],
    CachePolicyName: cachePolicyName,
    OriginRequestPolicyName: originRequestPolicyName,
  });
  return {
    CachePolicies: [
      {
        Name: "strata-long-cache",
        Comment: "Content-hashed assets: one year, immutable",
        MinTTL: IMMUTABLE_SECONDS,
        DefaultTTL: IMMUTABLE_SECONDS,
        MaxTTL: IMMUTABLE_SECONDS,
        ParametersInCacheKeyAndForwardedToOrigin: {
          EnableAcceptEncodingGzip: true,
          EnableAcceptEncodingBrotli: true,
          HeadersConfig: { HeaderBehavior: "none" },
          CookiesConfig: { CookieBehavior: "none" },
          QueryStringsConfig: { QueryStringBehavior: "none" },
        },
      },
      {
        Name: "strata-origin-controlled",
        Comment: "API: freshness from the origin's s-maxage; nothing without cache headers",
        MinTTL: 0,
        DefaultTTL: 0,
        MaxTTL: longestShared,
        ParametersInCacheKeyAndForwardedToOrigin: {
          EnableAcceptEncodingGzip: true,
          EnableAcceptEncodingBrotli: true,
          HeadersConfig: {
            HeaderBehavior: "whitelist",
            Headers: { Quantity: 1, Items: ["Authorization"] },
          },
          CookiesConfig: {
            CookieBehavior: "whitelist",
            Cookies: { Quantity: 1, Items: [sessionCookie] },
          },
          QueryStringsConfig: { QueryStringBehavior: "all" },
        },
      },
    ],
    OriginRequestPolicies: [
      {
        Name: "strata-api-origin",
        Comment: "Pass what the API needs that is not in the cache key",
        HeadersConfig: {
          HeaderBehavior: "whitelist",
          Headers: {
            Quantity: 4,
            Items: ["If-None-Match", "If-Match", "Idempotency-Key", "Content-Type"],
          },
        },
        CookiesConfig: { CookieBehavior: "none" },
        QueryStringsConfig: { QueryStringBehavior: "none" },
      },
    ],
    Origins: [
      {
        Id: originId,
        DomainName: originDomain,
        CustomOriginConfig: {
          OriginProtocolPolicy: "https-only",
          OriginKeepaliveTimeout: 60,
          OriginReadTimeout: 30,
        },
      },
    ],
    CacheBehaviors: [
      behaviour("/assets/*", "strata-long-cache", "strata-api-origin"),
      behaviour("/api/*", "strata-origin-controlled", "strata-api-origin"),
    ],
    DefaultCacheBehavior: {
      ...behaviour("*", "strata-origin-controlled", "strata-api-origin"),
      PathPattern: undefined,
    },
  };
}
