import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, prepareNginxPrefix, startNginx, type NginxServer } from "@strata/local-servers";
import { k8sDir } from "./support/k8s.ts";

/**
 * The front end's server in Kubernetes (deploy/k8s/base/web-nginx.conf), run with this
 * machine's nginx (Debian's, the image's package) on a stand-in build: only its listen port,
 * file root and writable folders are moved into a temporary folder.
 */
describe("web-nginx.conf (Kubernetes front-end files)", () => {
  let dir: string;
  let nginx: NginxServer;
  let base: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-web-nginx-"));
    fs.chmodSync(dir, 0o755);
    const root = path.join(dir, "web");
    fs.mkdirSync(path.join(root, "assets"), { recursive: true });
    fs.writeFileSync(path.join(root, "index.html"), "<!doctype html><title>strata</title>");
    fs.writeFileSync(path.join(root, "assets", "app-3f2a1b.js"), "console.log('strata');\n");
    const temp = path.join(dir, "temp");
    prepareNginxPrefix(dir, temp);
    const port = await freePort();
    const original = fs.readFileSync(path.join(k8sDir, "base", "web-nginx.conf"), "utf8");
    // Everything it writes is under /tmp (an emptyDir in the pod: the root filesystem is
    // read-only), which here becomes the temporary folder.
    expect(original.match(/ \/tmp\//g)).toHaveLength(6);
    const text = original
      .replaceAll(" /tmp/", ` ${temp}/`)
      .replace("listen 8080;", `listen 127.0.0.1:${port};`)
      .replace("root /usr/share/strata/web;", `root ${root};`);
    const configFile = path.join(dir, "nginx.conf");
    fs.writeFileSync(configFile, text);
    nginx = await startNginx({
      prefixDir: dir,
      configFile,
      host: "127.0.0.1",
      port,
      logFile: path.join(dir, "nginx.log"),
    });
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await nginx?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("answers its probe path, and keeps /metrics off the public side", async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "pass" });
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
  });

  it("serves content-hashed assets for a year, and a missing one as 404, never the page", async () => {
    const asset = await fetch(`${base}/assets/app-3f2a1b.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect((await fetch(`${base}/assets/app-000000.js`)).status).toBe(404);
  });

  it("answers every other path with index.html, revalidated each time", async () => {
    for (const url of ["/", "/products/42", "/admin/import"]) {
      const page = await fetch(base + url);
      expect(page.status, url).toBe(200);
      expect(await page.text()).toContain("<title>strata</title>");
    }
    expect((await fetch(`${base}/index.html`)).headers.get("cache-control")).toBe("no-cache");
  });
});
