import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";

let aptUpdated = false;

/**
 * Makes sure a Debian package's program exists. Installs the package with apt-get when the
 * program is missing and we run as root; otherwise fails with the exact command to run.
 */
export function ensureDebianPackage(pkg: string, program: string): void {
  if (programExists(program)) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !fs.existsSync("/usr/bin/apt-get")) {
    throw new Error(`${program} is missing: install it with "sudo apt-get install -y ${pkg}"`);
  }
  console.error(`installing Debian package ${pkg} (for ${program}) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    aptUpdated = true;
  }
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", pkg], {
    stdio: "inherit",
    env,
  });
  if (!programExists(program)) throw new Error(`${pkg} installed but ${program} is still missing`);
}

function programExists(program: string): boolean {
  if (program.startsWith("/")) return fs.existsSync(program);
  return spawnSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" }).status === 0;
}
