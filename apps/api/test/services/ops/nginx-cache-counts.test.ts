import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NginxCacheCounts } from "../../../src/services/ops/nginx-cache-counts.ts";

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "nginx-counts-"));
  file = path.join(dir, "access.log");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const line = (uri: string, cache: string) =>
  `${JSON.stringify({ time: new Date().toISOString(), uri, status: 200, cache_status: cache })}\n`;

const asObject = (m: Map<string, number>) => Object.fromEntries(m);

describe("NginxCacheCounts", () => {
  it("counts only what was appended after it started, by cache status, API requests only", async () => {
    fs.writeFileSync(file, line("/api/products", "HIT"));
    const counts = new NginxCacheCounts(file);
    await counts.start();
    fs.appendFileSync(
      file,
      line("/api/products", "HIT") +
        line("/api/products/1", "MISS") +
        line("/api/products", "STALE") +
        line("/api/users/me", "-") +
        line("/api/events", "") +
        line("/api/ops/overview", "MISS") +
        line("/assets/app.js", "HIT") +
        "not json\n",
    );
    expect(asObject(await counts.read())).toEqual({ HIT: 1, MISS: 1, STALE: 1, none: 1 });
    expect(asObject(await counts.read())).toEqual({});
  });

  it("gives two reads at once each their own lines, never the same ones twice", async () => {
    fs.writeFileSync(file, "");
    const counts = new NginxCacheCounts(file);
    await counts.start();
    fs.appendFileSync(file, line("/api/products", "HIT").repeat(3));
    const both = await Promise.all([counts.read(), counts.read()]);
    expect(both.map(asObject)).toEqual([{ HIT: 3 }, {}]);
  });

  it("keeps a line cut at the end for the next read", async () => {
    fs.writeFileSync(file, "");
    const counts = new NginxCacheCounts(file);
    await counts.start();
    const whole = line("/api/products", "BYPASS");
    fs.appendFileSync(file, line("/api/products", "HIT") + whole.slice(0, 20));
    expect(asObject(await counts.read())).toEqual({ HIT: 1 });
    fs.appendFileSync(file, whole.slice(20));
    expect(asObject(await counts.read())).toEqual({ BYPASS: 1 });
  });

  it("starts again from the beginning of a rotated or truncated log", async () => {
    fs.writeFileSync(file, line("/api/products", "HIT").repeat(5));
    const counts = new NginxCacheCounts(file);
    await counts.start();
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, line("/api/products", "MISS"));
    expect(asObject(await counts.read())).toEqual({ MISS: 1 });
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, line("/api/products", "UPDATING"));
    expect(asObject(await counts.read())).toEqual({ UPDATING: 1 });
  });

  it("waits for a log that does not exist yet, then reads it from its start", async () => {
    const counts = new NginxCacheCounts(file);
    await counts.start();
    expect(asObject(await counts.read())).toEqual({});
    fs.writeFileSync(file, line("/api/categories", "HIT"));
    expect(asObject(await counts.read())).toEqual({ HIT: 1 });
  });
});
