import fs from "node:fs";
import path from "node:path";
import { freePort } from "@strata/local-servers";
import { startSupervisedServer } from "./supervised-server.ts";
import type { DataLayout } from "../data-layout.ts";
import type { Supervisor } from "../process/supervisor.ts";
import { repoRoot } from "../settings.ts";
import { serverBundles } from "../build/server-bundles.ts";

const workerEntry = path.join(repoRoot, serverBundles.worker.entry);

export interface WorkerOptions {
  count: number;
  layout: DataLayout;
  supervisor: Supervisor;
  env: (id: string) => NodeJS.ProcessEnv;
  stopTimeoutMs: number;
  readyTimeoutMs: number;
}

export const workerIds = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `worker-${i + 1}`);

/**
 * Starts `count` workers (BullMQ consumers). A worker serves no traffic, only its own
 * /health, /ready and /metrics on WORKER_HOST:WORKER_PORT, which we choose, so it is waited
 * for like an instance. Returns a notice instead when the worker program does not exist yet.
 */
export async function startWorkers(options: WorkerOptions): Promise<string | undefined> {
  if (options.count === 0) return undefined;
  if (!fs.existsSync(workerEntry)) {
    return `worker skipped: ${path.relative(repoRoot, workerEntry)} does not exist yet`;
  }
  await Promise.all(workerIds(options.count).map((id) => startWorker(id, options)));
  return undefined;
}

/**
 * Starts the workers that are not running (a crashed one, shown as `exited (...)` by status)
 * again, under the same names; returns their names. `restart` calls it, so a killed worker
 * does not need a whole `down` and `up` to come back.
 */
export async function restartExitedWorkers(options: WorkerOptions): Promise<string[]> {
  if (options.count === 0 || !fs.existsSync(workerEntry)) return [];
  const exited = workerIds(options.count).filter((id) => !options.supervisor.isRunning(id));
  for (const id of exited) {
    options.supervisor.forget(id);
    await startWorker(id, options);
  }
  return exited;
}

async function startWorker(id: string, options: WorkerOptions): Promise<void> {
  const port = await freePort();
  await startSupervisedServer({
    id,
    server: "worker",
    port,
    env: { ...options.env(id), WORKER_HOST: "127.0.0.1", WORKER_PORT: String(port) },
    layout: options.layout,
    supervisor: options.supervisor,
    stopTimeoutMs: options.stopTimeoutMs,
    readyTimeoutMs: options.readyTimeoutMs,
  });
}
