import fs from "node:fs";
import path from "node:path";
import { isSameProcess, readProcessIdentity, type ProcessIdentity } from "./process-identity.ts";
import { stopRank, type Role } from "./roles.ts";

export interface PidRecord extends ProcessIdentity {
  name: string;
  role: Role;
  /** The signal that stops it cleanly (SIGINT is PostgreSQL's fast shutdown, ...). */
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
}

const file = (runDir: string, name: string) => path.join(runDir, `${name}.pid`);

/** Records a process we just started, with what identifies it beyond its pid. */
export function writePidFile(
  runDir: string,
  entry: Omit<PidRecord, "startTime" | "bootId" | "cmdline">,
): PidRecord | undefined {
  const identity = readProcessIdentity(entry.pid);
  if (!identity) return undefined;
  const record: PidRecord = { ...entry, ...identity };
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(file(runDir, entry.name), `${JSON.stringify(record)}\n`);
  return record;
}

export function removePidFile(runDir: string, name: string): void {
  fs.rmSync(file(runDir, name), { force: true });
}

export function readPidFiles(runDir: string): PidRecord[] {
  if (!fs.existsSync(runDir)) return [];
  return fs
    .readdirSync(runDir)
    .filter((f) => f.endsWith(".pid"))
    .flatMap((f) => {
      try {
        const record = JSON.parse(fs.readFileSync(path.join(runDir, f), "utf8")) as PidRecord;
        // Only child records: the supervisor's own pid file has no name or role.
        return record.name === f.slice(0, -4) && record.role ? [record] : [];
      } catch {
        return [];
      }
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(record: PidRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isSameProcess(record)) return true;
    await sleep(50);
  }
  return !isSameProcess(record);
}

function signal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    /* gone already */
  }
}

/**
 * Stops a process left behind by a runner that died (kill -9, power loss), but only if the
 * pid still names that very process (same start time, same boot): a pid reused by
 * someone else's process is never signalled. Its process group (it was started detached, so
 * it leads one) is SIGKILLed if it does not stop in time.
 */
export async function stopRecordedProcess(record: PidRecord): Promise<"stopped" | "not ours"> {
  if (record.pid === process.pid || !isSameProcess(record)) return "not ours";
  signal(record.pid, record.stopSignal);
  if (!(await waitGone(record, record.stopTimeoutMs))) {
    signal(-record.pid, "SIGKILL");
    signal(record.pid, "SIGKILL");
    await waitGone(record, 5_000);
  }
  return "stopped";
}

/**
 * Cleans up after a crashed run: stops, front to back, every recorded process that is still
 * ours, and removes all pid files except `keep`. Returns a line per action, for the console.
 */
export async function cleanStalePidFiles(runDir: string, keep: string[] = []): Promise<string[]> {
  const records = readPidFiles(runDir)
    .filter((r) => !keep.includes(r.name))
    .sort((a, b) => stopRank(a.role) - stopRank(b.role));
  const report: string[] = [];
  for (const record of records) {
    const outcome = await stopRecordedProcess(record);
    report.push(
      outcome === "stopped"
        ? `stopped ${record.name} (pid ${record.pid}) left running by an earlier run`
        : `removed stale pid file of ${record.name} (pid ${record.pid} is gone or not ours)`,
    );
    removePidFile(runDir, record.name);
  }
  return report;
}
