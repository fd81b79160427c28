import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBenchContext, type BenchContext } from "../src/bench/bench-context.ts";
import { runBench } from "../src/bench/run-bench.ts";
import { runDrill } from "../src/drill/run-drill.ts";
import { runFuzz } from "../src/fuzz/run-fuzz.ts";
import { ensureWrk } from "../src/load/wrk.ts";
import { compareResults } from "../src/report/compare-results.ts";
import { markdownReport } from "../src/report/markdown-report.ts";
import { svgChart } from "../src/report/svg-chart.ts";

/**
 * Short versions of `npm run drill`, `npm run bench` and `npm run fuzz` on real stacks: the
 * harnesses work end to end. Nothing here asserts a timing or a ratio (the machine is
 * shared); the drill's data check and the sweep's outcome are correctness, and are asserted.
 */
describe("harness smoke runs, on one stack", () => {
  let ctx: BenchContext;
  beforeAll(async () => {
    ensureWrk();
    ctx = await startBenchContext({
      products: 500,
      smallProducts: 100,
      instances: 2,
      minimal: true,
      log: () => {},
    });
  }, 240_000);
  afterAll(() => ctx?.stop(), 120_000);

  it("bench: measures scenarios against their ceilings and writes every report", async () => {
    const result = await runBench(ctx, {
      durationS: 1,
      warmupS: 0,
      rounds: 1,
      only: ["l1-direct", "db-miss", "admin-write"],
      log: () => {},
    });
    const ids = result.scenarios.map((s) => s.id);
    expect(ids).toEqual([
      "nginx-static",
      "bare-fastify",
      "proxy-hop",
      "l1-direct",
      "db-miss",
      "admin-write",
    ]);
    for (const s of result.scenarios) {
      expect(s.requests, s.id).toBeGreaterThan(0);
      expect(s.probe.ok, `${s.id}: ${s.probe.note}`).toBe(true);
    }
    expect(result.scenarios.find((s) => s.id === "l1-direct")?.ratio).toBeGreaterThan(0);
    // A scenario served by one process reports that process's CPU time per request.
    expect(result.scenarios.find((s) => s.id === "l1-direct")?.cpuUsPerRequest).toBeGreaterThan(0);
    // The proxy-hop ceiling reaches the bare processes through nginx, and has its ratio.
    expect(result.scenarios.find((s) => s.id === "proxy-hop")?.ratio).toBeGreaterThan(0);
    expect(result.targets.map((t) => t.id)).toContain("rss");
    expect(markdownReport(result, "smoke")).toContain("| app L1 hit, direct to one instance |");
    expect(svgChart(result)).toMatch(/^<svg/);
    expect(compareResults(result, result, 0.15).regressions).toBe(0);
  }, 120_000);

  it("fuzz: a bounded sweep finds no 5xx, crashes nothing and changes no row", async () => {
    const report = await runFuzz(ctx.harness, { limit: 400 });
    expect(report.requests).toBe(800);
    expect(report.failures).toEqual([]);
    expect(report.crashed).toEqual([]);
    expect(report.upstreamErrors).toEqual([]);
    expect(report.databaseUnchanged).toBe(true);
  }, 120_000);

  it("drill: kill -9 of an instance under mixed load keeps every acknowledged write", async () => {
    const report = await runDrill({
      harness: ctx.harness,
      products: 500,
      outageMs: 1_000,
      settleMs: 1_000,
      only: ["kill-instance"],
      importRows: 100,
      log: () => {},
    });
    expect(report.phases.map((p) => p.id)).toEqual(["steady", "kill-instance"]);
    expect(report.phases.every((p) => p.counts.sent > 0)).toBe(true);
    expect(report.data.problems).toEqual([]);
    expect(report.data.acknowledgedCreates + report.data.acknowledgedPatches).toBeGreaterThan(0);
    expect(report.notRunning).toEqual([]);
  }, 180_000);
});
