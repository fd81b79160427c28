// `npm run test:pgbouncer [-- vitest args]`: only the PgBouncer pass of `npm test`.
import { ensureNodeModules, run, tsx } from "./bootstrap.mjs";
import { runPgBouncerPass } from "./pgbouncer-pass.mjs";

ensureNodeModules();
run(tsx, ["packages/local-servers/src/cli/ensure-system-packages.ts"]);
runPgBouncerPass(process.argv.slice(2));
