#!/usr/bin/env node
// `npm run bench|drill|fuzz`. Plain JavaScript on purpose: on a fresh clone it runs before any
// dependency (the TypeScript loader included) is installed, like stack/bin/strata.mjs.
import { ensureNodeModules } from "../../scripts/bootstrap.mjs";

const commands = { bench: "bench.ts", drill: "drill.ts", fuzz: "fuzz.ts" };
const [command, ...rest] = process.argv.slice(2);
if (!commands[command]) {
  console.error(`usage: harness.mjs ${Object.keys(commands).join("|")} [options]`);
  process.exit(2);
}
ensureNodeModules();
const { register } = await import("tsx/esm/api");
register();
process.argv = [process.argv[0], command, ...rest];
await import(`../src/cli/${commands[command]}`);
