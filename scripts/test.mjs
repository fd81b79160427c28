// `npm test`: everything CI checks, in order, stopping at the first failure.
import { ensureNodeModules, run, tsx } from "./bootstrap.mjs";
import { runPgBouncerPass } from "./pgbouncer-pass.mjs";

ensureNodeModules();
run(tsx, ["packages/local-servers/src/cli/ensure-system-packages.ts"]);
console.log("\n== typecheck");
run("npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]);
// The browser code has its own compiler settings (DOM, JSX): apps/web/tsconfig.json.
run("npx", ["tsc", "-p", "apps/web/tsconfig.json", "--noEmit"]);
console.log("== lint");
run("npx", ["eslint", "--max-warnings", "0", "."]);
console.log("== format");
run("npx", ["prettier", "--check", "--log-level", "warn", "."]);
console.log("== tests");
run("npx", ["vitest", "run", ...process.argv.slice(2)]);
// The API and worker integration files again, through a real PgBouncer (transaction mode).
// With arguments the caller chose what to run; `npm run test:pgbouncer` runs this pass alone.
if (process.argv.length <= 2) runPgBouncerPass();
