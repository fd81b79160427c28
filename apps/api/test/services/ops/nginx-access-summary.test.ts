import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { nginxAccessSummary } from "../../../src/services/ops/nginx-access-summary.ts";

describe("nginxAccessSummary", () => {
  it("counts /api answers of the window by cache status, 304s and upstream", async () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    const line = (seconds: number, uri: string, status: number, cache: string, upstream = "a:1") =>
      JSON.stringify({
        time: new Date(now - seconds * 1000).toISOString(),
        uri,
        status,
        cache_status: cache,
        upstream_addr: upstream,
      });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "nginx-log-")), "access.log");
    fs.writeFileSync(
      file,
      [
        line(120, "/api/products", 200, "MISS"), // outside the window
        line(30, "/api/products", 200, "MISS", "b:1, a:1"),
        line(20, "/api/products", 200, "HIT", "-"),
        line(10, "/api/products/1", 304, ""),
        line(5, "/api/events", 200, ""), // an event stream, not a request to count
        line(5, "/assets/index.js", 200, ""),
        "not json",
      ].join("\n"),
    );
    const summary = await nginxAccessSummary(file, 60, now);
    expect(summary).toEqual({
      windowSeconds: 60,
      requests: 3,
      byCacheStatus: { MISS: 1, HIT: 1, "-": 1 },
      notModified: 1,
      byUpstream: { "a:1": 2 },
    });
  });
});
