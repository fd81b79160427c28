import fs from "node:fs";

/**
 * What tells one process apart from a later one that reused its pid: the pid, its start time
 * and the boot it started in.
 *
 * The command line is recorded for people reading a pid file, but not compared: servers
 * rewrite their own (Redis to "redis-server 127.0.0.1:<port>", nginx to "nginx: master
 * process ..."), and both do it only after they start listening, so a record taken once
 * the port answers may hold either form. The start time is fixed when the process is forked
 * (exec and title changes leave it alone); for another process to get the same pid in the
 * same clock tick the kernel would have to cycle through every pid within one tick. It
 * counts from boot and pid files outlive a reboot, hence the boot id.
 */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat, field 22). */
  startTime: string;
  /**
   * /proc/sys/kernel/random/boot_id when recorded ("" when unreadable). Missing in records
   * written before it was recorded: those are still compared by command line, as then.
   */
  bootId?: string;
  /** The command line when recorded, NUL-separated arguments joined by spaces. */
  cmdline: string;
}

let bootIdCache: string | undefined;

function bootId(): string {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      bootIdCache = "";
    }
  }
  return bootIdCache;
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
    return { pid, startTime, bootId: bootId(), cmdline };
  } catch {
    return undefined;
  }
}

/** True only when `pid` is still the very process `expected` describes. */
export function isSameProcess(expected: ProcessIdentity): boolean {
  const now = readProcessIdentity(expected.pid);
  if (now === undefined || now.startTime !== expected.startTime) return false;
  return expected.bootId === undefined
    ? now.cmdline === expected.cmdline
    : now.bootId === expected.bootId;
}
