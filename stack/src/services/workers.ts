import fs from "node:fs";
import path from "node:path";
import { startProcess, tail } from "@strata/local-servers";
import type { DataLayout } from "../data-layout.ts";
import type { Supervisor } from "../process/supervisor.ts";
import { repoRoot } from "../settings.ts";
import { tsxLoader } from "../tsx-loader.ts";

export const workerEntry = path.join(repoRoot, "apps", "worker", "src", "main.ts");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `count` workers (BullMQ consumers, no HTTP port). A worker has no /ready, so it
 * counts as started once it is still alive a moment after launch (a bad configuration makes
 * it exit at once). Returns a notice instead when the worker program does not exist yet.
 */
export async function startWorkers(options: {
  count: number;
  layout: DataLayout;
  supervisor: Supervisor;
  env: (id: string) => NodeJS.ProcessEnv;
  stopTimeoutMs: number;
}): Promise<string | undefined> {
  if (options.count === 0) return undefined;
  if (!fs.existsSync(workerEntry)) {
    return `worker skipped: ${path.relative(repoRoot, workerEntry)} does not exist yet`;
  }
  const ids = Array.from({ length: options.count }, (_, i) => `worker-${i + 1}`);
  await Promise.all(
    ids.map(async (id) => {
      const logFile = path.join(options.layout.logs, `${id}.log`);
      const child = startProcess(
        id,
        process.execPath,
        ["--import", tsxLoader, workerEntry],
        logFile,
        {
          cwd: repoRoot,
          env: options.env(id),
        },
      );
      options.supervisor.add({
        name: id,
        role: "worker",
        logFile,
        process: child,
        // SIGTERM: the worker stops taking jobs and finishes (or hands back) the active one.
        stop: () => child.stop("SIGTERM", options.stopTimeoutMs),
        stopSignal: "SIGTERM",
        stopTimeoutMs: options.stopTimeoutMs,
      });
      await sleep(1_500);
      if (child.child.exitCode !== null || child.child.signalCode !== null) {
        await options.supervisor.stop(id);
        throw new Error(`${id} exited at start\n--- ${logFile}\n${tail(logFile)}`);
      }
    }),
  );
  return undefined;
}
