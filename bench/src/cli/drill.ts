// `npm run drill [-- options]`: failures under steady mixed load, then the data check.
//   npm run drill                                 every failure, Redis out for 10 s
//   npm run drill -- --only kill-instance,nginx-reload --outage 3
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../harness/api-instance.ts";
import { drillTable, runDrill } from "../drill/run-drill.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    only: { type: "string", default: "" },
    outage: { type: "string", default: "10" },
    settle: { type: "string", default: "5" },
    products: { type: "string", default: "10000" },
    "import-rows": { type: "string", default: "20000" },
    out: { type: "string", default: path.join(repoRoot, "bench", "results") },
  },
});

const report = await runDrill({
  products: Number(values.products),
  outageMs: Number(values.outage) * 1000,
  settleMs: Number(values.settle) * 1000,
  only: values.only ? values.only.split(",") : [],
  importRows: Number(values["import-rows"]),
  log: (line) => console.log(line),
});
const table = drillTable(report);
console.log(`\n${table}`);
fs.mkdirSync(values.out, { recursive: true });
const stem = path.join(values.out, `drill-${report.date.replace(/[:.]/g, "-").slice(0, 19)}`);
fs.writeFileSync(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
fs.writeFileSync(`${stem}.md`, `# strata drill — ${report.date}\n\n${table}`);
console.log(`saved ${path.relative(process.cwd(), stem)}.json and .md`);
process.exit(report.ok ? 0 : 1);
