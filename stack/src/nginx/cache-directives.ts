import { policies, type CachePolicy } from "@strata/cache-policy";

/** The nginx cache tier's settings; its behaviour comes from the origin's headers. */
export interface NginxCacheSettings {
  /** proxy_cache_path folder (writable by the worker user). */
  path: string;
  /** e.g. "512m": the size the cache manager keeps the folder under. */
  maxSize: string;
  /** The API's session cookie: a request carrying it is never answered from, or stored in, the cache. */
  sessionCookie: string;
  /** Who may refresh an entry (the API instances and workers): addresses or CIDRs. */
  refreshAllowedFrom: string[];
  /**
   * nginx's second, internal listener ("127.0.0.1:PORT" locally, "8081" in production): the
   * only one on which a refresh is honoured. Behind a load balancer or a container network
   * every client may arrive from a private address, so the address alone cannot tell a
   * writer from the public; this port is never published.
   */
  refreshListen: string;
}

/** The port of a `listen` parameter ("127.0.0.1:8081" or "8081"). */
export function listenPort(listen: string): string {
  return listen.slice(listen.lastIndexOf(":") + 1);
}

export const ZONE = "strata_cache";

/** The request header with which a writer refreshes an entry (see cacheHttpDirectives). */
export const REFRESH_HEADER = "X-Cache-Refresh";

/** What nginx sends upstream as X-Cache-Refresh: "1" for an honoured refresh, else nothing. */
export const REFRESH_UPSTREAM = "$strata_refresh_upstream";

/**
 * How long an unused entry may stay on disk: the longest any policy lets a shared cache keep a
 * response (fresh plus the longer stale window), so stale-if-error has something to serve.
 */
export function inactiveSeconds(all: readonly CachePolicy[] = Object.values(policies)): number {
  return Math.max(
    60,
    ...all.map((p) =>
      p.visibility === "public" ? p.fresh + Math.max(p.staleWhileRevalidate, p.staleIfError) : 0,
    ),
  );
}

/** http{}-level directives: the cache zone and the credentials test. */
export function cacheHttpDirectives(out: (text?: string) => void, cache: NginxCacheSettings): void {
  out("    # The nginx cache tier. Freshness and the stale windows come from the API's");
  out("    # Cache-Control (s-maxage, stale-while-revalidate, stale-if-error), derived from the");
  out("    # one cache policy: nothing here repeats a number of it.");
  out(
    `    proxy_cache_path ${cache.path} levels=1:2 keys_zone=${ZONE}:20m max_size=${cache.maxSize} inactive=${inactiveSeconds()}s use_temp_path=off;`,
  );
  out("    # A request with credentials (session cookie or Authorization) is never answered from");
  out("    # the cache nor stored in it, whatever the response says.");
  out(`    map "$http_authorization$cookie_${cache.sessionCookie}" $strata_credentials {`);
  out('        "" 0;');
  out("        default 1;");
  out("    }");
  out("    # Invalidation on writes: a writer (API instance or worker) re-fetches a URL with");
  const port = listenPort(cache.refreshListen);
  out(`    # ${REFRESH_HEADER}: 1 on the internal refresh listener (port ${port}),`);
  out("    # from a writer's address; it bypasses the cache and its answer replaces the entry.");
  out("    # On the public listener the header means nothing: behind a load balancer every client");
  out("    # may arrive from a private address.");
  out("    # (No purge module: Debian's ngx_cache_purge 2.3 crashes workers on nginx >= 1.11.6.)");
  out("    geo $strata_cache_writer {");
  out("        default 0;");
  for (const address of cache.refreshAllowedFrom) out(`        ${address} 1;`);
  out("    }");
  const header = `$http_${REFRESH_HEADER.toLowerCase().replace(/-/g, "_")}`;
  // The address lookup runs only for a request that asks to refresh, on the refresh port.
  out(`    map "$server_port:${header}" $strata_refresh {`);
  out(`        "${port}:1" $strata_cache_writer;`);
  out("        default 0;");
  out("    }");
  out("    # Passed to the instance only for an honoured refresh (which its rate limiter does not");
  out("    # count); empty, nginx drops the header, so a client's own never reaches an instance.");
  out(`    map $strata_refresh ${REFRESH_UPSTREAM} {`);
  out('        1 "1";');
  out('        default "";');
  out("    }");
}

/** location /api/ directives. */
export function cacheDirectives(out: (text?: string) => void): void {
  out(`            proxy_cache ${ZONE};`);
  out("            # One entry per URL: the API sends no Vary, and nginx compresses below, so");
  out("            # Accept-Encoding never multiplies entries or escapes a refresh.");
  out("            proxy_cache_key $request_uri;");
  out("            proxy_cache_bypass $strata_credentials $strata_refresh;");
  out("            proxy_no_cache $strata_credentials;");
  out("            # One miss per key goes upstream; the others wait for its answer.");
  out("            proxy_cache_lock on;");
  out("            proxy_cache_lock_timeout 10s;");
  out("            proxy_cache_lock_age 10s;");
  out("            # Stale-while-revalidate: answer stale, refresh with one background request.");
  out("            proxy_cache_background_update on;");
  out("            # Expired entries are revalidated with their ETag (a 304 refreshes them).");
  out("            proxy_cache_revalidate on;");
  out('            proxy_set_header Accept-Encoding "";');
  out("            add_header X-Cache-Status $upstream_cache_status always;");
  out(
    "            # A stored answer holds the id of the request that filled it: each gets its own.",
  );
  out("            proxy_hide_header X-Request-Id;");
  out("            add_header X-Request-Id $request_id always;");
  out("            gzip on;");
  out("            gzip_proxied any;");
  out("            gzip_vary on;");
  out("            gzip_types application/json application/problem+json;");
}
