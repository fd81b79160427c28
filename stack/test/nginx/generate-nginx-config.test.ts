import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { API_MAX_HEADER_BYTES } from "@strata/config";
import { nginxBinary, prepareNginxPrefix } from "@strata/local-servers";
import {
  generateNginxConfig,
  validateNginxSettings,
  type NginxSettings,
} from "../../src/nginx/generate-nginx-config.ts";
import { defaultUpstreamPolicy } from "../../src/nginx/upstream-policy.ts";
import { upstreamRoles } from "../../src/nginx/upstream-roles.ts";

const settings = (overrides: Partial<NginxSettings> = {}): NginxSettings => ({
  listen: "127.0.0.1:18080",
  servers: upstreamRoles([
    { name: "api-1", address: "127.0.0.1:4001" },
    { name: "api-2", address: "127.0.0.1:4002" },
    { name: "api-3", address: "127.0.0.1:4003" },
  ]),
  maxBodyBytes: 1_048_576,
  uploads: { imageRequestBytes: 10_551_296, importRequestBytes: 536_936_448 },
  apiKeepAliveTimeoutMs: 72_000,
  apiDrainDelayMs: 4_000,
  apiRequestTimeoutMs: 30_000,
  workerProcesses: "auto",
  workerConnections: 1024,
  paths: { pidFile: "/tmp/x/nginx.pid", errorLog: "/tmp/x/e.log", accessLog: "/tmp/x/a.log" },
  ...overrides,
});

/** The directive lines of one block (`upstream strata_api {` ... `}`), comments dropped. */
function block(text: string, opening: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim() === opening);
  expect(start, `block ${opening}`).toBeGreaterThanOrEqual(0);
  const indent = lines[start]!.length - lines[start]!.trimStart().length;
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "}" && line.length - line.trimStart().length === indent) break;
    const directive = line.replace(/#.*$/, "").trim();
    if (directive) out.push(directive);
  }
  return out;
}

describe("generateNginxConfig", () => {
  const text = generateNginxConfig(settings());

  it("balances least_conn over weighted primaries with one backup, keep-alive 32", () => {
    expect(block(text, "upstream strata_api {")).toEqual([
      "zone strata_api 64k;",
      "least_conn;",
      "server 127.0.0.1:4001 weight=3 max_fails=1 fail_timeout=3s;",
      "server 127.0.0.1:4002 weight=3 max_fails=1 fail_timeout=3s;",
      "server 127.0.0.1:4003 weight=1 max_fails=1 fail_timeout=3s backup;",
      "keepalive 32;",
      "keepalive_requests 1000;",
      "keepalive_timeout 3s;",
    ]);
  });

  it("marks an instance taken out of rotation for a restart `down`", () => {
    const servers = settings().servers.map((s) => (s.name === "api-2" ? { ...s, down: true } : s));
    expect(block(generateNginxConfig(settings({ servers })), "upstream strata_api {")).toContain(
      "server 127.0.0.1:4002 weight=3 max_fails=1 fail_timeout=3s down;",
    );
  });

  it("proxies with HTTP/1.1 keep-alive and overwrites the client-controlled headers", () => {
    for (const location of ["location /api/ {", "location / {"]) {
      const lines = block(text, location);
      expect(lines).toContain("proxy_pass http://strata_api;");
      expect(lines).toContain("proxy_http_version 1.1;");
      expect(lines).toContain('proxy_set_header Connection "";');
      expect(lines).toContain("proxy_set_header X-Request-Id $request_id;");
      // $remote_addr replaces whatever the client sent; $proxy_add_x_forwarded_for would append.
      expect(lines).toContain("proxy_set_header X-Forwarded-For $remote_addr;");
      expect(lines).toContain("proxy_set_header X-Forwarded-Proto $scheme;");
      expect(lines.join("\n")).not.toContain("proxy_add_x_forwarded_for");
      // Without a cache tier there is no refresh: a client's X-Cache-Refresh is dropped.
      expect(lines).toContain('proxy_set_header X-Cache-Refresh "";');
    }
  });

  it("retries only what nginx may retry: no non_idempotent, bounded tries and time", () => {
    const lines = block(text, "location /api/ {");
    expect(lines).toContain("proxy_next_upstream error timeout http_502 http_504;");
    expect(lines).toContain("proxy_next_upstream_tries 3;");
    expect(lines).toContain("proxy_next_upstream_timeout 10s;");
    expect(text).not.toContain("non_idempotent;");
    // Bodies stay buffered so that a retry can replay them (imports aside, see below).
    expect(lines).not.toContain("proxy_request_buffering off;");
  });

  it("waits for the API a little longer than the API's own request timeout", () => {
    expect(block(text, "location /api/ {")).toContain("proxy_read_timeout 35s;");
  });

  it("derives client_max_body_size from the API's body limit", () => {
    expect(text).toContain("client_max_body_size 1048576;");
    expect(generateNginxConfig(settings({ maxBodyBytes: 5_000_000 }))).toContain(
      "client_max_body_size 5000000;",
    );
  });

  it("reads a page of products from its instance in one header buffer", () => {
    const size = (name: string) => Number(/(\d+)k;/.exec(text.split(`${name} `)[1]!)![1]) * 1024;
    // A page of 20 products is about 9 kB; the default 4k header buffer took three reads.
    expect(size("proxy_buffer_size")).toBeGreaterThanOrEqual(16 * 1024);
    // nginx's own rule: the busy buffers (2 x 16k by default) stay below all buffers less one.
    const [, count, each] = /proxy_buffers (\d+) (\d+)k;/.exec(text)!;
    expect((Number(count) - 1) * Number(each) * 1024).toBeGreaterThan(
      2 * size("proxy_buffer_size"),
    );
  });

  it("refuses heads and methods the API would refuse, before they reach an instance", () => {
    const [, count, each] = /large_client_header_buffers (\d+) (\d+)k;/.exec(text)!;
    // nginx's whole budget, plus the headers it adds, fits in what the API parses.
    expect(Number(count) * Number(each) * 1024 + 1024).toBeLessThan(API_MAX_HEADER_BYTES);
    const map = block(text, "map $request_method $strata_method_unknown {");
    for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      expect(map).toContain(`${method} 0;`);
    }
    expect(map).toContain("default 1;");
    expect(block(text, "if ($strata_method_unknown) {")).toContain("return 501;");
  });

  it("gives the upload routes their own body limits; imports stream instead of spooling", () => {
    const images = block(text, "location ~ ^/api/products/[0-9]+/images$ {");
    expect(images).toContain("client_max_body_size 10551296;");
    expect(images).toContain("proxy_pass http://strata_api;");
    expect(images).not.toContain("proxy_request_buffering off;");
    const imports = block(text, "location /api/imports {");
    expect(imports).toContain("client_max_body_size 536936448;");
    expect(imports).toContain("proxy_request_buffering off;");
    expect(imports).toContain("proxy_set_header X-Forwarded-For $remote_addr;");
    const withoutUploads = generateNginxConfig(settings({ uploads: undefined }));
    expect(withoutUploads).not.toContain("/images");
  });

  it("logs JSON with upstream address, status, cache status, times and request id", () => {
    const format = text.slice(text.indexOf("log_format"), text.indexOf("access_log"));
    for (const variable of [
      "$upstream_addr",
      "$upstream_status",
      "$upstream_cache_status",
      "$request_time",
      "$upstream_response_time",
      "$request_id",
    ]) {
      expect(format).toContain(variable);
    }
    expect(format).toContain("escape=json");
  });

  it("answers its own /health, and caches nothing without cache settings", () => {
    expect(block(text, "location = /health {")).toContain(`return 200 '{"status":"pass"}\\n';`);
    expect(text).not.toContain("proxy_cache");
  });

  it("puts one or two instances in rotation as primaries, the third as backup", () => {
    const roles = (n: number) =>
      upstreamRoles(Array.from({ length: n }, (_, i) => ({ name: `a${i}`, address: `h:${i}` })));
    expect(roles(1).map((s) => s.backup)).toEqual([false]);
    expect(roles(2).map((s) => s.backup)).toEqual([false, false]);
    expect(roles(4).map((s) => [s.weight, s.backup])).toEqual([
      [3, false],
      [3, false],
      [3, false],
      [1, true],
    ]);
  });

  it("refuses settings that would break keep-alive or the config's syntax", () => {
    expect(validateNginxSettings(settings({ apiKeepAliveTimeoutMs: 3_000 }))).toEqual([
      expect.stringContaining("must be shorter than the API's keep-alive timeout"),
    ]);
    // An instance that closes its idle sockets before nginx let go of them races nginx.
    expect(validateNginxSettings(settings({ apiDrainDelayMs: 3_000 }))).toEqual([
      expect.stringContaining("must outlast the upstream keepalive_timeout"),
    ]);
    expect(
      validateNginxSettings(
        settings({ servers: [{ name: "x", address: "h:1;evil", weight: 1, backup: false }] }),
      ),
    ).toContain('bad upstream address "h:1;evil"');
    expect(() =>
      generateNginxConfig(
        settings({ servers: [{ name: "b", address: "h:1", weight: 1, backup: true }] }),
      ),
    ).toThrow(/at least one primary/);
    expect(defaultUpstreamPolicy.keepaliveTimeoutS * 1000).toBeLessThan(72_000);
  });

  it("turns every error nginx makes itself into an internal problem+json page", () => {
    const pages = [...text.matchAll(/error_page (\d+)(?: =(\d+))? (\S+);/g)];
    expect(pages.map((m) => Number(m[1]))).toEqual(
      expect.arrayContaining([400, 404, 405, 413, 414, 494, 501, 502, 504, 505]),
    );
    const errors = block(text, "location ^~ /_nginx/errors/ {");
    expect(errors).toContain("internal;");
    expect(errors).toContain("default_type application/problem+json;");
    for (const [, code, as, uri] of pages) {
      const status = Number(as ?? code);
      // 494 is nginx's internal "request header too large"; the client gets a 431.
      expect(uri).toBe(`/_nginx/errors/${status}`);
      // The page's one line: its return.
      const page = text.split(`location = ${uri} {`)[1]!.split("\n")[1]!;
      const [, returned, body] = /return (\d+) '(.*)\\n';/.exec(page)!;
      expect(Number(returned)).toBe(status);
      expect(JSON.parse(body!)).toMatchObject({ type: "about:blank", status });
    }
  });

  it("is accepted by the real nginx (nginx -t), with the cache tier", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-nginx-t-"));
    try {
      const tempDir = path.join(dir, "temp");
      const { user } = prepareNginxPrefix(dir, tempDir);
      const file = path.join(dir, "nginx.conf");
      fs.writeFileSync(
        file,
        generateNginxConfig(
          settings({
            ...(user ? { user } : {}),
            revision: "test-1",
            cache: {
              path: path.join(tempDir, "cache"),
              maxSize: "16m",
              sessionCookie: "strata_session",
              refreshAllowedFrom: ["127.0.0.1"],
              refreshListen: "127.0.0.1:18199",
            },
            paths: {
              pidFile: path.join(dir, "nginx.pid"),
              errorLog: path.join(dir, "error.log"),
              accessLog: path.join(dir, "access.log"),
              tempDir,
            },
          }),
        ),
      );
      const result = spawnSync(nginxBinary(), ["-t", "-p", dir, "-c", file, "-g", "daemon off;"], {
        encoding: "utf8",
      });
      expect(result.stderr).toContain("test is successful");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
