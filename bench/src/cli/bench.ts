// `npm run bench [-- options]`: the benchmark harness (see README "Benchmarks").
//   npm run bench                           full run: 1,000,000 products, 2 rounds of 5 s
//   npm run bench -- --quick                a smoke run: tiny catalogue, 1 s per scenario
//   npm run bench -- --only l1-direct,edge-hit --rounds 3
//   npm run bench -- --cpu-prof             also write a CPU profile of api-l1
//   npm run bench -- compare a.json b.json [--noise 0.15]
import path from "node:path";
import { parseArgs } from "node:util";
import { startBenchContext } from "../bench/bench-context.ts";
import { runBench } from "../bench/run-bench.ts";
import { repoRoot } from "../harness/api-instance.ts";
import { ensureWrk } from "../load/wrk.ts";
import { compareResults } from "../report/compare-results.ts";
import { markdownReport } from "../report/markdown-report.ts";
import { readResult, saveResult } from "../report/result-files.ts";

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    quick: { type: "boolean", default: false },
    duration: { type: "string" },
    warmup: { type: "string" },
    rounds: { type: "string" },
    products: { type: "string" },
    small: { type: "string" },
    instances: { type: "string" },
    only: { type: "string", default: "" },
    out: { type: "string", default: path.join(repoRoot, "bench", "results") },
    "cpu-prof": { type: "boolean", default: false },
    noise: { type: "string", default: "0.15" },
  },
});

if (positionals[0] === "compare") {
  const [a, b] = positionals.slice(1);
  if (!a || !b) throw new Error("usage: npm run bench -- compare <before.json> <after.json>");
  const comparison = compareResults(readResult(a), readResult(b), Number(values.noise));
  console.log(comparison.text);
  process.exit(comparison.regressions > 0 ? 1 : 0);
}

const quick = values.quick;
const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
const log = (line: string) => console.log(line);
ensureWrk();
const started = Date.now();
const ctx = await startBenchContext({
  products: num(values.products, quick ? 2_000 : 1_000_000),
  smallProducts: num(values.small, quick ? 200 : 10_000),
  instances: num(values.instances, 3),
  ...(values["cpu-prof"] ? { cpuProfDir: path.join(values.out, "profiles") } : {}),
  log,
});
let exitCode = 0;
try {
  const result = await runBench(ctx, {
    durationS: num(values.duration, quick ? 1 : 5),
    warmupS: num(values.warmup, quick ? 0 : 1),
    rounds: num(values.rounds, quick ? 1 : 2),
    only: values.only ? values.only.split(",") : [],
    log,
  });
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
  console.log(`\n${markdownReport(result, command)}`);
  for (const file of saveResult(result, values.out, command))
    console.log(`saved ${path.relative(process.cwd(), file)}`);
  console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await ctx.stop();
}
process.exit(exitCode);
