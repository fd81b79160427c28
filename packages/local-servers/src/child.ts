import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import fs from "node:fs";

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Sends `signal`, waits up to `timeoutMs`, then SIGKILLs. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
  readonly child: ChildProcess;
}

/**
 * Spawns a long-running program whose output goes to a log file. The child gets its own
 * process group so a terminal's Ctrl-C reaches only us; we stop it in order ourselves.
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  options: SpawnOptions = {},
): ManagedProcess {
  const log = fs.openSync(logFile, "a");
  const child = spawn(command, args, {
    ...options,
    detached: true,
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  let exitValue: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      exitValue = code ?? signal ?? "unknown";
      // Now, and only now: the pid was just reaped, so its number cannot have been handed to
      // another process yet. Later (in stop(), say) it may have been: pid_max is 32768 here,
      // a test run goes round it, and `kill -pid` would then hit a stranger's process group.
      killLeftovers(pid);
      resolve(exitValue);
    });
    child.once("error", (error) => {
      exitValue = error.message;
      resolve(exitValue);
    });
  });
  return {
    name,
    pid,
    logFile,
    exited,
    child,
    async stop(signal = "SIGTERM", timeoutMs = 15_000) {
      if (exitValue !== undefined) return;
      try {
        process.kill(pid, signal);
      } catch {
        return;
      }
      const timer = new Promise<"timeout">((r) =>
        setTimeout(() => r("timeout"), timeoutMs).unref(),
      );
      if ((await Promise.race([exited, timer])) === "timeout") {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* already gone */
        }
        await exited;
      }
    },
  };
}

/**
 * SIGKILLs what is left of the child's process group as the child itself exits: an nginx
 * master killed with -9 left its workers running (re-parented to init) and still listening on
 * the public port, so `down` stopped nothing and the next `up` found the port taken. The group
 * id is the child's pid, which the system does not hand out again while any member of the
 * group is alive, so only the child's own descendants can receive this, provided it is sent
 * at the exit (see the exit handler).
 */
function killLeftovers(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    /* the group is empty */
  }
}

/** The last lines of a log file, for error messages. */
export function tail(logFile: string, lines = 20): string {
  try {
    return fs.readFileSync(logFile, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
