import { IMMUTABLE_SECONDS } from "../policy.ts";
import type { CdnInputs } from "./cloudfront.ts";

/**
 * Cloudflare cache rules (ruleset phase `http_request_cache_settings`) for strata. Cloudflare
 * honours `CDN-Cache-Control`, which the API derives from the same policies, so `/api/*` only
 * has to be made eligible and left to the origin; requests with a session cookie or an
 * Authorization header bypass the cache; `/assets/*` is cached a year at the edge and in
 * browsers. Purges go by the `Cache-Tag` header values (see apps/api/src/cache/cdn-purge.ts).
 */
export function cloudflareRules({ sessionCookie }: Pick<CdnInputs, "sessionCookie">) {
  const credentials = `(any(http.request.cookies["${sessionCookie}"][*] ne "") or len(http.request.headers["authorization"]) > 0)`;
  return {
    name: "strata cache rules",
    kind: "zone",
    phase: "http_request_cache_settings",
    rules: [
      {
        description: "Content-hashed assets: one year at the edge and in browsers",
        expression: 'starts_with(http.request.uri.path, "/assets/")',
        action: "set_cache_settings",
        action_parameters: {
          cache: true,
          edge_ttl: { mode: "override_origin", default: IMMUTABLE_SECONDS },
          browser_ttl: { mode: "override_origin", default: IMMUTABLE_SECONDS },
        },
      },
      {
        description: "Requests with credentials never touch the shared cache",
        expression: `starts_with(http.request.uri.path, "/api/") and ${credentials}`,
        action: "set_cache_settings",
        action_parameters: { cache: false },
      },
      {
        description: "API reads: cache what the origin's CDN-Cache-Control allows",
        expression: 'starts_with(http.request.uri.path, "/api/")',
        action: "set_cache_settings",
        action_parameters: {
          cache: true,
          edge_ttl: { mode: "respect_origin" },
          browser_ttl: { mode: "respect_origin" },
          serve_stale: { disable_stale_while_updating: false },
          respect_strong_etags: true,
        },
      },
    ],
    zoneSettings: { always_use_https: "on", automatic_https_rewrites: "on" },
  };
}
