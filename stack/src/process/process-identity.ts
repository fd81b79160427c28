import fs from "node:fs";

/** What tells one process apart from a later one that reused its pid. */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat, field 22). */
  startTime: string;
  /** The command line, NUL-separated arguments joined by spaces. */
  cmdline: string;
}

/** Reads a live process's identity from /proc; undefined when it is gone or a zombie. */
export function readProcessIdentity(pid: number): ProcessIdentity | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z") return undefined;
    const startTime = fields[19];
    if (startTime === undefined) return undefined;
    const cmdline = fs
      .readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter(Boolean)
      .join(" ");
    return { pid, startTime, cmdline };
  } catch {
    return undefined;
  }
}

/** True only when `pid` is still the very process `expected` describes. */
export function isSameProcess(expected: ProcessIdentity): boolean {
  const now = readProcessIdentity(expected.pid);
  return (
    now !== undefined && now.startTime === expected.startTime && now.cmdline === expected.cmdline
  );
}
