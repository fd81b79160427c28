import type { ManagedProcess } from "@strata/local-servers";
import { removePidFile, writePidFile } from "./pid-files.ts";
import { stopRank, type Role } from "./roles.ts";

export interface SupervisedProcess {
  name: string;
  role: Role;
  /** host:port it serves on, when it serves. */
  address?: string;
  logFile: string;
  process: ManagedProcess;
  /** Stops it cleanly (its own signal and bound), SIGKILL after the bound. */
  stop(): Promise<void>;
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
}

export interface ProcessRow {
  role: Role;
  name: string;
  pid: number;
  address: string;
  state: string;
  logFile: string;
}

interface Entry extends SupervisedProcess {
  state: "running" | "stopping" | string;
}

/**
 * Every child process the stack started, with a pid file each (so a later run can clean up
 * after a crash), and the ordered shutdown: nginx, instances (draining in parallel), worker,
 * storage, Redis, PostgreSQL. A child that exits on its own is reported, not restarted.
 */
export class Supervisor {
  readonly #entries = new Map<string, Entry>();
  readonly #runDir: string;
  readonly #onUnexpectedExit: (name: string, result: number | string) => void;

  constructor(runDir: string, onUnexpectedExit: (name: string, result: number | string) => void) {
    this.#runDir = runDir;
    this.#onUnexpectedExit = onUnexpectedExit;
  }

  add(child: SupervisedProcess): void {
    const entry: Entry = { ...child, state: "running" };
    this.#entries.set(child.name, entry);
    writePidFile(this.#runDir, {
      name: child.name,
      role: child.role,
      pid: child.process.pid,
      stopSignal: child.stopSignal,
      stopTimeoutMs: child.stopTimeoutMs,
    });
    void child.process.exited.then((result) => {
      // Only if this entry is still the current one for the name (a restart replaces it).
      if (this.#entries.get(child.name) !== entry) return;
      removePidFile(this.#runDir, child.name);
      if (entry.state !== "stopping") {
        entry.state = `exited (${result})`;
        this.#onUnexpectedExit(child.name, result);
      } else {
        this.#entries.delete(child.name);
      }
    });
  }

  get(name: string): SupervisedProcess | undefined {
    return this.#entries.get(name);
  }

  isRunning(name: string): boolean {
    return this.#entries.get(name)?.state === "running";
  }

  /** Stops one process and forgets it. */
  async stop(name: string): Promise<void> {
    const entry = this.#entries.get(name);
    if (!entry) return;
    entry.state = "stopping";
    await entry.stop();
    await entry.process.exited;
    if (this.#entries.get(name) === entry) this.#entries.delete(name);
    removePidFile(this.#runDir, name);
  }

  /** Forgets a process that already exited (after a crash, before it is started again). */
  forget(name: string): void {
    const entry = this.#entries.get(name);
    if (entry && entry.state !== "running" && entry.state !== "stopping") {
      this.#entries.delete(name);
    }
  }

  /** SIGKILLs one process at once (a crash drill): its exit counts as unexpected. */
  kill(name: string): void {
    const entry = this.#entries.get(name);
    if (!entry) return;
    try {
      process.kill(entry.process.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }

  rows(): ProcessRow[] {
    return [...this.#entries.values()]
      .sort((a, b) => stopRank(b.role) - stopRank(a.role) || a.name.localeCompare(b.name))
      .map((e) => ({
        role: e.role,
        name: e.name,
        pid: e.process.pid,
        address: e.address ?? "-",
        state: e.state,
        logFile: e.logFile,
      }));
  }

  /** Stops everything, front to back; processes of one role stop in parallel. */
  async stopAll(onStep?: (role: Role, names: string[]) => void): Promise<void> {
    const byRank = new Map<number, Entry[]>();
    for (const entry of this.#entries.values()) {
      const rank = stopRank(entry.role);
      byRank.set(rank, [...(byRank.get(rank) ?? []), entry]);
    }
    for (const rank of [...byRank.keys()].sort((a, b) => a - b)) {
      const group = byRank.get(rank) ?? [];
      onStep?.(
        group[0]!.role,
        group.map((e) => e.name),
      );
      await Promise.all(group.map((e) => this.stop(e.name)));
    }
  }

  /** Last resort (a second Ctrl-C): SIGKILL every process group at once. */
  killAll(): void {
    for (const entry of this.#entries.values()) {
      for (const target of [-entry.process.pid, entry.process.pid]) {
        try {
          process.kill(target, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    }
  }
}
