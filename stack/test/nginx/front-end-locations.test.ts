import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { immutableCacheControl } from "@strata/cache-policy";
import { nginxBinary, prepareNginxPrefix } from "@strata/local-servers";
import { frontEndHeaderLines, frontEndSecurityHeaders } from "../../src/nginx/front-end-headers.ts";
import { generateNginxConfig, type NginxSettings } from "../../src/nginx/generate-nginx-config.ts";
import { upstreamRoles } from "../../src/nginx/upstream-roles.ts";

const settings = (overrides: Partial<NginxSettings> = {}): NginxSettings => ({
  listen: "127.0.0.1:18081",
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
  webRoot: "/srv/strata/web",
  ...overrides,
});

/** The directives of one location block, comments dropped. */
function block(text: string, opening: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim() === opening);
  expect(start, opening).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "}") break;
    const directive = line.replace(/#.*$/, "").trim();
    if (directive) out.push(directive);
  }
  return out;
}

describe("nginx front-end locations (webRoot)", () => {
  const text = generateNginxConfig(settings());

  it("serves hashed assets for a year, immutable, and a missing one as a 404", () => {
    const assets = block(text, "location /assets/ {");
    expect(assets).toContain(`add_header Cache-Control "${immutableCacheControl()}" always;`);
    expect(immutableCacheControl()).toBe("public, max-age=31536000, immutable");
    expect(assets).toContain("try_files $uri =404;");
    expect(text).toContain("root /srv/strata/web;");
  });

  it("always revalidates index.html and answers every app path with it", () => {
    expect(block(text, "location = /index.html {")).toEqual([
      'add_header Cache-Control "no-cache" always;',
      ...frontEndHeaderLines(),
    ]);
    expect(block(text, "location / {")).toEqual([
      ...frontEndHeaderLines(),
      "try_files $uri /index.html;",
    ]);
    // The API keeps its own location.
    expect(block(text, "location /api/ {")).toContain("proxy_pass http://strata_api;");
  });

  it("sends a strict Content-Security-Policy and refuses framing from every front-end location", () => {
    const csp = frontEndSecurityHeaders["Content-Security-Policy"]!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    // nginx drops inherited add_header lines in a location that sets its own, so each of the
    // three must carry all of them.
    for (const opening of ["location /assets/ {", "location = /index.html {", "location / {"]) {
      const lines = block(text, opening);
      for (const line of frontEndHeaderLines()) expect(lines, opening).toContain(line);
    }
    expect(frontEndHeaderLines()).toContain('add_header X-Frame-Options "DENY" always;');
  });

  it("without webRoot proxies everything to the API, as before", () => {
    const proxied = generateNginxConfig(settings({ webRoot: undefined }));
    expect(proxied).not.toContain("location /assets/");
    expect(block(proxied, "location / {")).toContain("proxy_pass http://strata_api;");
  });

  it("refuses a webRoot nginx would misread", () => {
    expect(() => generateNginxConfig(settings({ webRoot: "/srv/my web;" }))).toThrow(/webRoot/);
  });

  it("is accepted by the real nginx (nginx -t)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-nginx-web-"));
    try {
      const tempDir = path.join(dir, "temp");
      const { user } = prepareNginxPrefix(dir, tempDir);
      const file = path.join(dir, "nginx.conf");
      const config = generateNginxConfig(
        settings({
          ...(user ? { user } : {}),
          webRoot: dir,
          paths: {
            pidFile: path.join(dir, "nginx.pid"),
            errorLog: path.join(dir, "error.log"),
            accessLog: path.join(dir, "access.log"),
            tempDir,
          },
        }),
      );
      fs.writeFileSync(file, config);
      const result = spawnSync(nginxBinary(), ["-t", "-p", dir, "-c", file, "-g", "daemon off;"], {
        encoding: "utf8",
      });
      expect(result.status, result.stderr).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
