// `npm run fuzz [-- --limit N]`: the bad-input sweep on a stack of its own.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../harness/api-instance.ts";
import { startHarnessStack } from "../harness/harness-stack.ts";
import { fuzzSummary, runFuzz } from "../fuzz/run-fuzz.ts";
import { FUZZ_STACK_ENV } from "../fuzz/fuzz-stack-env.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    limit: { type: "string" },
    out: { type: "string", default: path.join(repoRoot, "bench", "results") },
  },
});

const harness = await startHarnessStack({
  instances: 2,
  products: 500,
  env: FUZZ_STACK_ENV,
  log: (line) => console.log(line),
});
let ok: boolean;
try {
  const report = await runFuzz(harness, {
    ...(values.limit ? { limit: Number(values.limit) } : {}),
    log: (line) => console.log(line),
  });
  console.log(`\n${fuzzSummary(report)}`);
  fs.mkdirSync(values.out, { recursive: true });
  const file = path.join(values.out, `fuzz-${report.date.replace(/[:.]/g, "-").slice(0, 19)}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`saved ${path.relative(process.cwd(), file)}`);
  ok = report.ok;
} finally {
  await harness.stop();
}
process.exit(ok ? 0 : 1);
