import type { BenchResult } from "../bench/run-bench.ts";

const n = (value: number, digits = 0) =>
  value.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * The run as Markdown: machine facts, the scenario table with ratios (and, for a scenario
 * served by one process, that process's CPU time per request), the targets.
 */
export function markdownReport(result: BenchResult, command: string): string {
  const m = result.machine;
  const lines = [
    `# strata bench — ${m.date.slice(0, 16).replace("T", " ")} UTC`,
    "",
    `\`${command}\` · commit \`${m.commit.slice(0, 10)}\`${m.dirty ? " (with uncommitted changes)" : ""} · ${m.cores} cores (${m.cpuModel}) · ${m.memoryGb} GB · ${m.versions.node} · ${m.versions.nginx} · ${m.versions.postgres} · ${(m.versions.redis ?? "").split(" ").slice(0, 3).join(" ")}`,
    "",
    `${result.settings.rounds} round(s) of ${result.settings.durationS} s per scenario after ${result.settings.warmupS} s of warm-up, wrk -t1; ${n(result.settings.products)} products. Load average ${m.loadAverage.start.toFixed(1)} at the start, ${(m.loadAverage.end ?? 0).toFixed(1)} at the end: ratios within this run are what to compare, never figures across runs.`,
    "",
    "| scenario | conns | req/s | p50 ms | p99 ms | errors | ratio | vs | spread | CPU µs/req | tier seen | RSS grew most |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- | --- |",
  ];
  for (const s of result.scenarios) {
    const tier = [
      s.probe.appCache && `app ${s.probe.appCache}`,
      s.probe.nginxCache && `nginx ${s.probe.nginxCache}`,
    ]
      .filter(Boolean)
      .join(", ");
    lines.push(
      `| ${s.title} | ${s.connections} | ${n(s.rps)} | ${n(s.p50Ms, 2)} | ${n(s.p99Ms, 2)} | ${s.errors} | ${s.ratio === undefined ? "" : s.ratio.toFixed(2)} | ${s.ceiling ?? ""} | ${(s.spread * 100).toFixed(0)} % | ${s.cpuUsPerRequest === undefined ? "" : s.cpuUsPerRequest.toFixed(1)} | ${s.probe.ok ? tier || "ok" : `**${s.probe.note}**`} | ${s.peakRss ? `${s.peakRss.instance} +${s.peakRss.grewMb.toFixed(0)} → ${s.peakRss.mb.toFixed(0)} MB` : ""} |`,
    );
  }
  lines.push("", "| target | measured | status | note |", "| --- | ---: | --- | --- |");
  for (const t of result.targets) {
    lines.push(
      `| ${t.description} | ${t.value === undefined ? "—" : t.id === "rss" ? `${t.value.toFixed(0)} MB` : t.value.toFixed(2)} | ${t.status} | ${t.note} |`,
    );
  }
  lines.push(
    "",
    `Peak resident memory: ${Object.entries(result.maxRssMb)
      .map(([k, v]) => `${k} ${v.toFixed(0)} MB`)
      .join(", ")}.`,
    "",
  );
  return lines.join("\n");
}
