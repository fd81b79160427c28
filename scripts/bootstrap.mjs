// Plain JavaScript on purpose: this runs before any dependency (TypeScript loader included)
// is installed, on a fresh clone.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Runs `npm ci` when node_modules is missing or older than package-lock.json. */
export function ensureNodeModules() {
  const marker = path.join(root, "node_modules", ".package-lock.json");
  const lock = path.join(root, "package-lock.json");
  const fresh =
    fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs - 1000;
  if (fresh) return;
  console.log("installing npm dependencies (npm ci) ...");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}

/** Runs a command in the repository root, inheriting stdio; exits on failure. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.status !== 0) {
    const how = result.signal ? `signal ${result.signal}` : `exit code ${result.status}`;
    console.error(`\n${command} ${args.join(" ")} failed (${how})`);
    process.exit(result.status ?? 1);
  }
}

/** The local tsx binary, for running TypeScript entry points. */
export const tsx = path.join(root, "node_modules", ".bin", "tsx");
