import { describe, expect, it } from "vitest";
import { ConfigError, loadApiConfig } from "../src/index.ts";

const valid = {
  DATABASE_URL: "postgres://strata:s3cure-Pa55@127.0.0.1:5432/strata",
  REDIS_STATE_URL: "redis://127.0.0.1:6379",
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadApiConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("loadApiConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadApiConfig(valid);
    expect(config.db).toMatchObject({ poolSize: 20, poolOverflow: 10, maxLifetimeSeconds: 3600 });
    expect(config.http.keepAliveTimeoutMs).toBeGreaterThan(60_000);
    expect(config.http.headersTimeoutMs).toBeGreaterThan(config.http.keepAliveTimeoutMs);
    expect(config.redis.cacheUrl).toBe(valid.REDIS_STATE_URL);
    expect(config.http.trustedProxies).toEqual([]);
  });

  it("names every problem at once", () => {
    const problems = problemsOf({ PORT: "http", DB_POOL_SIZE: "0", LOG_LEVEL: "loud" });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DATABASE_URL is required/),
        expect.stringMatching(/^REDIS_STATE_URL is required/),
        expect.stringMatching(/^PORT /),
        expect.stringMatching(/^DB_POOL_SIZE /),
        expect.stringMatching(/^LOG_LEVEL /),
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it("reads numbers written in digits only: not hex, exponents or padding", () => {
    for (const written of ["0x4000", "1e4", " 3000", "3000 ", "3.0"]) {
      expect(problemsOf({ ...valid, PORT: written }), written).toEqual([
        expect.stringMatching(/^PORT must be a whole number/),
      ]);
    }
    expect(loadApiConfig({ ...valid, PORT: "3000" }).http.port).toBe(3000);
  });

  it("refuses placeholder secrets outside development", () => {
    const env = {
      ...valid,
      NODE_ENV: "production",
      DATABASE_URL: "postgres://u:changeme@db/strata",
    };
    expect(problemsOf(env)).toEqual([
      expect.stringMatching(/DATABASE_URL has an empty or placeholder password/),
    ]);
    const noPassword = { ...valid, NODE_ENV: "test", DATABASE_URL: "postgres://u@db/strata" };
    expect(problemsOf(noPassword)).toHaveLength(1);
    expect(() => loadApiConfig({ ...env, NODE_ENV: "development" })).not.toThrow();
  });

  it("requires the headers timeout to exceed the keep-alive timeout", () => {
    const problems = problemsOf({
      ...valid,
      KEEP_ALIVE_TIMEOUT_MS: "80000",
      HEADERS_TIMEOUT_MS: "75000",
    });
    expect(problems).toEqual([
      expect.stringMatching(/HEADERS_TIMEOUT_MS .* must exceed KEEP_ALIVE_TIMEOUT_MS/),
    ]);
  });

  it("refuses a timer longer than Node can set, instead of firing it after 1 ms", () => {
    expect(
      problemsOf({ ...valid, DRAIN_DELAY_MS: "99999999999", REQUEST_TIMEOUT_MS: "2147483648" }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DRAIN_DELAY_MS must be at most 2147483647 /),
        expect.stringMatching(/^REQUEST_TIMEOUT_MS must be at most 2147483647 /),
      ]),
    );
    expect(
      problemsOf({ ...valid, DRAIN_DELAY_MS: "2000000000", SHUTDOWN_TIMEOUT_MS: "2000000000" }),
    ).toEqual([
      expect.stringMatching(/^DRAIN_DELAY_MS \+ SHUTDOWN_TIMEOUT_MS .* at most 2147483647/),
    ]);
    expect(
      loadApiConfig({ ...valid, DRAIN_DELAY_MS: "2147383647", SHUTDOWN_TIMEOUT_MS: "100000" }),
    ).toBeTruthy();
  });

  it("names an NGINX_PURGE_URLS entry that is not a base URL, and drops a trailing slash", () => {
    expect(
      problemsOf({ ...valid, NGINX_PURGE_URLS: "http://nginx:8081, foo, http://x/y" }),
    ).toEqual([
      "NGINX_PURGE_URLS: foo is not a base URL such as http://nginx:8081",
      "NGINX_PURGE_URLS: http://x/y is not a base URL such as http://nginx:8081",
    ]);
    expect(
      loadApiConfig({ ...valid, NGINX_PURGE_URLS: "http://nginx:8081/" }).cache.nginxPurgeUrls,
    ).toEqual(["http://nginx:8081"]);
  });

  it("parses trusted proxies as a list", () => {
    expect(
      loadApiConfig({ ...valid, TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8" }).http.trustedProxies,
    ).toEqual(["127.0.0.1", "10.0.0.0/8"]);
  });

  it("names a trusted proxy the proxy check could not read, instead of crashing at start", () => {
    const problems = problemsOf({
      ...valid,
      TRUSTED_PROXIES:
        "127.0.0.1, not-an-ip, 10.0.0.0/99, 10.0.0.0/0, 10.0.0.0/255.0.255.0, ::1/129",
    });
    expect(problems).toEqual([
      expect.stringMatching(/^TRUSTED_PROXIES: not-an-ip is not an IP address/),
      expect.stringMatching(/^TRUSTED_PROXIES: 10\.0\.0\.0\/99 has a bad range/),
      expect.stringMatching(/^TRUSTED_PROXIES: 10\.0\.0\.0\/0 has a bad range/),
      expect.stringMatching(/^TRUSTED_PROXIES: 10\.0\.0\.0\/255\.0\.255\.0 has a bad range/),
      expect.stringMatching(/^TRUSTED_PROXIES: ::1\/129 has a bad range/),
    ]);
  });

  it("accepts every form the proxy check reads", async () => {
    const { default: proxyAddr } = await import("@fastify/proxy-addr");
    const forms =
      "loopback, uniquelocal, linklocal, 10.1.2.3, 10.0.0.0/8, 172.16.0.0/255.240.0.0, ::1, fd00::/8, ::ffff:10.0.0.1";
    const { trustedProxies } = loadApiConfig({ ...valid, TRUSTED_PROXIES: forms }).http;
    expect(trustedProxies).toHaveLength(9);
    expect(() => proxyAddr.compile(trustedProxies)).not.toThrow();
  });
});
