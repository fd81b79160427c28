import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { tail } from "@strata/local-servers";
import { repoRoot } from "../settings.ts";

export const webDir = path.join(repoRoot, "apps", "web");
/** What nginx serves: index.html and the content-hashed assets/. */
export const webDist = path.join(webDir, "dist");

/** Everything the bundle is made from: the app, and the packages it imports. */
const SOURCES = [
  path.join(webDir, "index.html"),
  path.join(webDir, "vite.config.ts"),
  path.join(webDir, "src"),
  path.join(repoRoot, "packages", "contracts", "src"),
  path.join(repoRoot, "packages", "cache-policy", "src"),
  // New versions of React, Vite, zod ... arrive with the lock file.
  path.join(repoRoot, "package-lock.json"),
];

function newestMtime(file: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(file)) {
    newest = Math.max(newest, newestMtime(path.join(file, entry)));
  }
  return newest;
}

/** True when dist/ is missing or older than any source file. */
export function webBuildIsStale(): boolean {
  let built: number;
  try {
    built = fs.statSync(path.join(webDist, "index.html")).mtimeMs;
  } catch {
    return true;
  }
  return SOURCES.some((source) => newestMtime(source) > built);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One build at a time across processes (parallel test files each start a stack, and Vite
 * refuses a second build of the same project while one runs): a lock file holding the
 * builder's pid; a lock whose process is gone is taken over.
 */
async function buildLock(scratch: string, log: (line: string) => void): Promise<() => void> {
  const file = path.join(scratch, "web-build.lock");
  let waiting = false;
  for (const deadline = Date.now() + 10 * 60_000; ;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => {
        try {
          if (fs.readFileSync(file, "utf8") === String(process.pid)) fs.rmSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number(fs.readFileSync(file, "utf8"));
    if (!Number.isInteger(owner) || owner <= 0 || !alive(owner)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the front end build of pid ${owner} never ended`);
    if (!waiting) log(`waiting for the front end build of pid ${owner}`);
    waiting = true;
    await sleep(250);
  }
}

/**
 * Builds the front end with Vite when its build is stale, and returns the folder nginx serves.
 * The build goes to a folder of its own and is swapped in with a rename, so an nginx already
 * serving dist/ never sees a half-written one.
 */
export async function ensureWebBuild(logDir: string, log: (line: string) => void): Promise<string> {
  if (!webBuildIsStale()) return webDist;
  // Beside the repository's ignored .data/ (same file system, so the swap is a rename; never
  // linted or committed if a crash leaves it behind).
  const scratch = path.join(repoRoot, ".data");
  fs.mkdirSync(scratch, { recursive: true });
  const release = await buildLock(scratch, log);
  try {
    // Another process may have built it while we waited.
    if (!webBuildIsStale()) return webDist;
    return await build(scratch, logDir, log);
  } finally {
    release();
  }
}

async function build(
  scratch: string,
  logDir: string,
  log: (line: string) => void,
): Promise<string> {
  log("building the front end (vite build)");
  const outDir = path.join(scratch, `web-build-${process.pid}`);
  const logFile = path.join(logDir, "web-build.log");
  const vite = path.join(repoRoot, "node_modules", "vite", "bin", "vite.js");
  const code = await new Promise<number | null>((resolve, reject) => {
    const out = fs.openSync(logFile, "w");
    const child = spawn(process.execPath, [vite, "build", "--outDir", outDir, "--emptyOutDir"], {
      cwd: webDir,
      stdio: ["ignore", out, out],
      env: { ...process.env, NODE_ENV: "production" },
    });
    child.on("error", reject);
    child.on("exit", (exitCode) => {
      fs.closeSync(out);
      resolve(exitCode);
    });
  });
  if (code !== 0) {
    fs.rmSync(outDir, { recursive: true, force: true });
    throw new Error(`the front end did not build (exit ${code})\n--- ${logFile}\n${tail(logFile)}`);
  }
  const previous = path.join(scratch, `web-previous-${process.pid}`);
  try {
    if (fs.existsSync(webDist)) fs.renameSync(webDist, previous);
    fs.renameSync(outDir, webDist);
  } catch (error) {
    // Two stacks started at once (parallel test files) built the same sources: the other
    // one's build is in place, ours is not needed.
    if (!fs.existsSync(path.join(webDist, "index.html"))) throw error;
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.rmSync(previous, { recursive: true, force: true });
  }
  return webDist;
}
