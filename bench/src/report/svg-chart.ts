import type { BenchResult } from "../bench/run-bench.ts";

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * A horizontal bar chart of requests/s per scenario, ceilings in grey, with each scenario's
 * ratio to its ceiling written beside its bar. Plain SVG written here: one chart does not
 * justify a charting library.
 */
export function svgChart(result: BenchResult): string {
  const rows = result.scenarios.filter((s) => s.rps > 0);
  const width = 900;
  const label = 330;
  const barArea = width - label - 150;
  const rowHeight = 26;
  const top = 50;
  const height = top + rows.length * rowHeight + 30;
  const max = Math.max(...rows.map((s) => s.rps), 1);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">strata bench: requests/s (median of ${result.settings.rounds} round(s), ${result.settings.durationS} s each)</text>`,
    `<text x="10" y="38" fill="#555">${escape(`${result.machine.date.slice(0, 10)} · ${result.machine.cores} cores · commit ${result.machine.commit.slice(0, 10)} · load ${result.machine.loadAverage.start.toFixed(1)}→${(result.machine.loadAverage.end ?? 0).toFixed(1)}`)}</text>`,
  ];
  rows.forEach((s, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, (s.rps / max) * barArea);
    const colour = s.kind === "ceiling" ? "#9e9e9e" : s.probe.ok ? "#3b7dd8" : "#d84b3b";
    const ratio = s.ratio === undefined ? "" : ` · ×${s.ratio.toFixed(2)} of ${s.ceiling}`;
    parts.push(
      `<text x="${label - 8}" y="${y + 16}" text-anchor="end">${escape(s.title.slice(0, 52))}</text>`,
      `<rect x="${label}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${colour}"/>`,
      `<text x="${label + w + 6}" y="${y + 16}" fill="#333">${Math.round(s.rps).toLocaleString("en")}${escape(ratio)}</text>`,
    );
  });
  parts.push("</svg>", "");
  return parts.join("\n");
}
