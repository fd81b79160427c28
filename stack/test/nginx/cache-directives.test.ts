import { describe, expect, it } from "vitest";
import { policies } from "@strata/cache-policy";
import { generateNginxConfig, type NginxSettings } from "../../src/nginx/generate-nginx-config.ts";
import { inactiveSeconds } from "../../src/nginx/cache-directives.ts";
import { upstreamRoles } from "../../src/nginx/upstream-roles.ts";

const settings: NginxSettings = {
  listen: "127.0.0.1:18080",
  servers: upstreamRoles([
    { name: "api-1", address: "127.0.0.1:4001" },
    { name: "api-2", address: "127.0.0.1:4002" },
  ]),
  maxBodyBytes: 1_048_576,
  apiKeepAliveTimeoutMs: 72_000,
  apiRequestTimeoutMs: 30_000,
  workerProcesses: 1,
  workerConnections: 64,
  paths: { pidFile: "/tmp/x/nginx.pid", errorLog: "/tmp/x/e.log", accessLog: "/tmp/x/a.log" },
  cache: {
    path: "/tmp/x/cache",
    maxSize: "64m",
    sessionCookie: "strata_session",
    refreshAllowedFrom: ["127.0.0.1", "10.0.0.0/8"],
    refreshListen: "127.0.0.1:18081",
  },
};

const text = generateNginxConfig(settings);
const apiLocation = text.slice(
  text.indexOf("location /api/ {"),
  text.indexOf("}", text.indexOf("location /api/ {")),
);

describe("nginx cache tier", () => {
  it("bypasses and never stores a request carrying a session cookie or Authorization", () => {
    expect(text).toContain('map "$http_authorization$cookie_strata_session" $strata_credentials {');
    expect(apiLocation).toContain("proxy_cache_bypass $strata_credentials $strata_refresh;");
    expect(apiLocation).toContain("proxy_no_cache $strata_credentials;");
  });

  it("keeps one entry per URL, lets one miss go upstream, refreshes in the background", () => {
    expect(apiLocation).toContain("proxy_cache_key $request_uri;");
    expect(apiLocation).toContain('proxy_set_header Accept-Encoding "";');
    expect(apiLocation).toContain("proxy_cache_lock on;");
    expect(apiLocation).toContain("proxy_cache_background_update on;");
    expect(apiLocation).toContain("add_header X-Cache-Status $upstream_cache_status always;");
  });

  it("takes freshness and stale windows from the origin: no number of the policy is repeated", () => {
    expect(apiLocation).not.toMatch(/proxy_cache_valid|proxy_ignore_headers|proxy_cache_use_stale/);
    expect(text).toContain(`inactive=${inactiveSeconds()}s`);
    const { fresh, staleIfError } = policies.productList;
    expect(inactiveSeconds()).toBeGreaterThanOrEqual(fresh + staleIfError);
  });

  it("lets only writers' addresses refresh an entry past the cache", () => {
    expect(text).toMatch(
      /geo \$strata_cache_writer \{\s+default 0;\s+127\.0\.0\.1 1;\s+10\.0\.0\.0\/8 1;\s+\}/,
    );
    // Only on the internal listener, and from a writer's address there.
    expect(text).toMatch(
      /map "\$server_port:\$http_x_cache_refresh" \$strata_refresh \{\s+"18081:1" \$strata_cache_writer;\s+default 0;\s+\}/,
    );
    // The instance hears of a refresh only when nginx honoured one (its rate limiter does not
    // count those): in every proxied location, the client's own header is replaced.
    expect(text).toMatch(
      /map \$strata_refresh \$strata_refresh_upstream \{\s+1 "1";\s+default "";\s+\}/,
    );
    for (const opening of ["location /api/ {", "location / {"]) {
      const at = text.indexOf(opening);
      const body = text.slice(at, text.indexOf("\n        }", at));
      expect(body, opening).toContain("proxy_set_header X-Cache-Refresh $strata_refresh_upstream;");
    }
    expect(text).toContain("listen 127.0.0.1:18080;");
    expect(text).toContain("listen 127.0.0.1:18081;");
    expect(() =>
      generateNginxConfig({
        ...settings,
        cache: { ...settings.cache!, refreshListen: "127.0.0.1:18080" },
      }),
    ).toThrow(/port of its own/);
    expect(apiLocation).toContain("proxy_cache_bypass $strata_credentials $strata_refresh;");
    // A refresh's answer is stored: only credentials keep a response out of the cache.
    expect(apiLocation).toContain("proxy_no_cache $strata_credentials;");
  });
});
