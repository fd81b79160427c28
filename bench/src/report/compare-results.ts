import type { BenchResult } from "../bench/run-bench.ts";

export interface Comparison {
  rows: {
    id: string;
    before?: number;
    after?: number;
    /** after / before of requests/s, or of the ratio to the ceiling when both have one. */
    change?: number;
    basis: "ratio" | "req/s";
    regression: boolean;
  }[];
  regressions: number;
  text: string;
}

/**
 * Two result files side by side. Ratios to a ceiling measured in the same run are compared
 * where both runs have them (they survive a change of machine load); raw requests/s only
 * where there is no ceiling. A drop beyond `noise` (a fraction) is flagged as a regression.
 */
export function compareResults(before: BenchResult, after: BenchResult, noise: number): Comparison {
  const ids = [...new Set([...before.scenarios, ...after.scenarios].map((s) => s.id))];
  const rows = ids.map((id) => {
    const a = before.scenarios.find((s) => s.id === id);
    const b = after.scenarios.find((s) => s.id === id);
    const basis: "ratio" | "req/s" =
      a?.ratio !== undefined && b?.ratio !== undefined ? "ratio" : "req/s";
    const x = basis === "ratio" ? a?.ratio : a?.rps;
    const y = basis === "ratio" ? b?.ratio : b?.rps;
    const change = x && y ? y / x : undefined;
    return {
      id,
      ...(x !== undefined ? { before: x } : {}),
      ...(y !== undefined ? { after: y } : {}),
      ...(change !== undefined ? { change } : {}),
      basis,
      regression: change !== undefined && change < 1 - noise,
    };
  });
  const fmt = (v: number | undefined, basis: string) =>
    v === undefined ? "—" : basis === "ratio" ? v.toFixed(2) : Math.round(v).toLocaleString("en");
  const lines = [
    `before: ${before.machine.date} ${before.machine.commit.slice(0, 10)} (load ${before.machine.loadAverage.start.toFixed(1)})`,
    `after:  ${after.machine.date} ${after.machine.commit.slice(0, 10)} (load ${after.machine.loadAverage.start.toFixed(1)})`,
    `noise margin ${(noise * 100).toFixed(0)} %`,
    "",
    `${"scenario".padEnd(22)} ${"basis".padEnd(6)} ${"before".padStart(9)} ${"after".padStart(9)} ${"change".padStart(8)}`,
  ];
  for (const r of rows) {
    lines.push(
      `${r.id.padEnd(22)} ${r.basis.padEnd(6)} ${fmt(r.before, r.basis).padStart(9)} ${fmt(r.after, r.basis).padStart(9)} ${(r.change === undefined ? "—" : `${((r.change - 1) * 100).toFixed(1)} %`).padStart(8)}${r.regression ? "  REGRESSION" : ""}`,
    );
  }
  const statusOf = (result: BenchResult, id: string) =>
    result.targets.find((t) => t.id === id)?.status ?? "—";
  lines.push("", "targets:");
  for (const t of after.targets) {
    lines.push(`  ${t.description.padEnd(60)} ${statusOf(before, t.id).padEnd(5)} → ${t.status}`);
  }
  const regressions = rows.filter((r) => r.regression).length;
  lines.push(
    "",
    regressions === 0 ? "no regression beyond the noise margin" : `${regressions} regression(s)`,
  );
  return { rows, regressions, text: lines.join("\n") };
}
