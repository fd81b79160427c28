import path from "node:path";
import { startProcess, tail } from "@strata/local-servers";
import { buildServerBundle, bundleNodeArgs, type ServerName } from "../build/server-bundles.ts";
import type { DataLayout } from "../data-layout.ts";
import { waitForHttp } from "../http-probe.ts";
import type { Supervisor } from "../process/supervisor.ts";
import { repoRoot } from "../settings.ts";

/**
 * Starts one of strata's own Node servers (an API instance or a worker) from its bundle,
 * hands it to the supervisor (SIGTERM stops it: an instance drains, a worker finishes or hands
 * back its jobs), and waits until its /ready answers 200. If it dies or never gets ready, it
 * is stopped again and the error carries the end of its log.
 */
export async function startSupervisedServer(options: {
  id: string;
  server: ServerName;
  port: number;
  env: NodeJS.ProcessEnv;
  layout: DataLayout;
  supervisor: Supervisor;
  stopTimeoutMs: number;
  readyTimeoutMs: number;
}): Promise<void> {
  const { id, port, supervisor } = options;
  const bundle = await buildServerBundle(options.server);
  const logFile = path.join(options.layout.logs, `${id}.log`);
  const child = startProcess(
    id,
    process.execPath,
    bundleNodeArgs(bundle, options.server),
    logFile,
    {
      cwd: repoRoot,
      env: options.env,
    },
  );
  supervisor.add({
    name: id,
    role: options.server,
    address: `127.0.0.1:${port}`,
    logFile,
    process: child,
    stop: () => child.stop("SIGTERM", options.stopTimeoutMs),
    stopSignal: "SIGTERM",
    stopTimeoutMs: options.stopTimeoutMs,
  });
  try {
    await waitForHttp(id, `http://127.0.0.1:${port}/ready`, {
      timeoutMs: options.readyTimeoutMs,
      gone: () =>
        child.child.exitCode !== null || child.child.signalCode !== null
          ? `exit ${child.child.exitCode ?? child.child.signalCode}`
          : undefined,
    });
  } catch (error) {
    await supervisor.stop(id);
    throw new Error(`${(error as Error).message}\n--- ${logFile}\n${tail(logFile)}`, {
      cause: error,
    });
  }
}
