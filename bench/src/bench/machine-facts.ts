import { spawnSync } from "node:child_process";
import os from "node:os";
import { repoRoot } from "../harness/api-instance.ts";

export interface MachineFacts {
  date: string;
  host: string;
  cores: number;
  cpuModel: string;
  memoryGb: number;
  /** 1-minute load average at the start and end of the run: how shared the machine was. */
  loadAverage: { start: number; end?: number };
  versions: Record<string, string>;
  commit: string;
  /** Uncommitted changes in the work tree when the run started. */
  dirty: boolean;
}

/** The first line a command prints (stdout, or stderr for those that print there: nginx -v). */
function firstLine(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: "utf8", cwd: repoRoot });
  const text = (result.stdout || result.stderr || "unknown").trim();
  return text.split("\n")[0] ?? "unknown";
}

/** Facts a reader needs to judge a result file: cores, versions, commit, machine load. */
export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    host: os.hostname(),
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: { start: os.loadavg()[0]! },
    versions: {
      node: process.version,
      nginx: firstLine("/usr/sbin/nginx", ["-v"]),
      postgres: firstLine("postgres", ["--version"]),
      redis: firstLine("redis-server", ["--version"]),
      wrk: firstLine("wrk", ["--version"]),
      kernel: os.release(),
    },
    commit: firstLine("git", ["rev-parse", "HEAD"]),
    dirty:
      spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], {
        encoding: "utf8",
        cwd: repoRoot,
      }).stdout.trim() !== "",
  };
}
