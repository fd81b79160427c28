import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDebianPackage } from "@strata/local-servers";
import { assertLoopback } from "./loopback.ts";
import { doneScript, type WrkRequestPlan } from "./wrk-script.ts";

/** One measured load: what every scenario, ceiling and comparison is made of. */
export interface LoadResult {
  requests: number;
  durationS: number;
  rps: number;
  /** Latency percentiles in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Socket errors (connect, read, write, timeout) plus HTTP statuses of 400 and above. */
  errors: number;
  non2xx: number;
  /** The serving process's CPU microseconds per request, when the scenario names it. */
  cpuUsPerRequest?: number;
}

export interface WrkOptions {
  url: string;
  connections: number;
  durationS: number;
  /** Requests beyond a plain GET of `url` (paths from a list, headers, a body). */
  plan?: WrkRequestPlan;
  /** Per-request timeout, seconds. */
  timeoutS?: number;
}

const MARKER = "STRATA_BENCH_JSON ";

/** wrk from Debian, installed on first use when we are root (`npm run bench` may be the first). */
export function ensureWrk(): void {
  ensureDebianPackage("wrk", "wrk");
}

/**
 * Runs wrk with one thread: on two cores the load generator must take as little CPU as it
 * can, and one wrk thread drives 30k requests/s where autocannon saturates near 20k. The Lua
 * `done` hook prints the summary as one JSON line, so nothing depends on wrk's text layout.
 */
export async function runWrk(options: WrkOptions): Promise<LoadResult> {
  assertLoopback(options.url);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-wrk-"));
  try {
    const script = path.join(dir, "script.lua");
    fs.writeFileSync(script, doneScript(MARKER, options.plan, dir));
    const args = [
      "-t1",
      `-c${options.connections}`,
      `-d${options.durationS}s`,
      `--timeout`,
      `${options.timeoutS ?? 10}s`,
      "-s",
      script,
      options.url,
    ];
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        "wrk",
        args,
        { timeout: (options.durationS + 30) * 1000, maxBuffer: 1 << 24 },
        (error, out, err) => {
          if (error) reject(new Error(`wrk failed: ${error.message}\n${err}`));
          else resolve(out);
        },
      );
    });
    const line = stdout.split("\n").find((l) => l.startsWith(MARKER));
    if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
    const raw = JSON.parse(line.slice(MARKER.length)) as {
      requests: number;
      duration_us: number;
      p50_us: number;
      p99_us: number;
      max_us: number;
      connect: number;
      read: number;
      write: number;
      timeout: number;
      status: number;
    };
    const durationS = raw.duration_us / 1e6;
    return {
      requests: raw.requests,
      durationS,
      rps: raw.requests / durationS,
      p50Ms: raw.p50_us / 1000,
      p99Ms: raw.p99_us / 1000,
      maxMs: raw.max_us / 1000,
      errors: raw.connect + raw.read + raw.write + raw.timeout + raw.status,
      non2xx: raw.status,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
