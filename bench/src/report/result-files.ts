import fs from "node:fs";
import path from "node:path";
import type { BenchResult } from "../bench/run-bench.ts";
import { markdownReport } from "./markdown-report.ts";
import { svgChart } from "./svg-chart.ts";

/** Writes `<stem>.json`, `.md` and `.svg` into `dir`; returns the three paths. */
export function saveResult(result: BenchResult, dir: string, command: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const stem = path.join(dir, `bench-${result.machine.date.replace(/[:.]/g, "-").slice(0, 19)}`);
  const files = [`${stem}.json`, `${stem}.md`, `${stem}.svg`];
  fs.writeFileSync(files[0]!, `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(files[1]!, markdownReport(result, command));
  fs.writeFileSync(files[2]!, svgChart(result));
  return files;
}

export function readResult(file: string): BenchResult {
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as BenchResult;
  if (parsed.kind !== "strata-bench") throw new Error(`${file} is not a strata bench result`);
  return parsed;
}
