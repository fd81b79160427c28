export {
  PRIVATE,
  publicPolicy,
  notFoundPolicy,
  IMMUTABLE_SECONDS,
  type CachePolicy,
  type PublicPolicy,
  type PrivatePolicy,
} from "./policy.ts";
export { cacheControl, cdnCacheControl, immutableCacheControl, cacheTagHeader } from "./headers.ts";
export { queryTimings } from "./timings.ts";
export { policies, type PolicyName } from "./catalogue.ts";
export { cloudFrontConfig, type CdnInputs } from "./cdn/cloudfront.ts";
export { cloudflareRules } from "./cdn/cloudflare.ts";
