import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { freePort, startProcess, tail, waitFor, type ManagedProcess } from "@strata/local-servers";

export const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..");
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface SpawnedProcess {
  name: string;
  url: string;
  pid: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Starts a TypeScript entry point as its own Node process (`node --import tsx`, as the stack
 * runs the API), listening on a free port, and waits until `readyPath` answers 200.
 */
export async function spawnNodeServer(options: {
  name: string;
  entry: string;
  args?: (port: number) => string[];
  env?: (port: number) => NodeJS.ProcessEnv;
  logDir: string;
  readyPath: string;
  nodeArgs?: string[];
  timeoutMs?: number;
}): Promise<SpawnedProcess> {
  const port = await freePort();
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const child = startProcess(
    options.name,
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      "--import",
      tsxLoader,
      options.entry,
      ...(options.args?.(port) ?? []),
    ],
    logFile,
    { cwd: repoRoot, env: options.env?.(port) ?? process.env },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      `${options.name} to be ready`,
      async () => {
        if (child.child.exitCode !== null || child.child.signalCode !== null) {
          throw new Error(`exited (${child.child.exitCode ?? child.child.signalCode})`);
        }
        try {
          return (await fetch(`${url}${options.readyPath}`)).status === 200;
        } catch {
          return false;
        }
      },
      options.timeoutMs ?? 90_000,
    );
  } catch (error) {
    await child.stop("SIGKILL");
    throw new Error(`${options.name}: ${(error as Error).message}\n${tail(logFile)}`, {
      cause: error,
    });
  }
  return {
    name: options.name,
    url,
    pid: child.pid,
    process: child,
    stop: () => child.stop("SIGTERM", 30_000),
  };
}

/**
 * An API instance beside the stack's own, with the stack's environment plus `extra`: the
 * variants a comparison needs (L1 off, rate limiter on/off, another database) without
 * restarting the fleet. It is not in nginx's upstream; the scenarios call it directly.
 */
export function spawnApiInstance(options: {
  id: string;
  serviceEnv: Record<string, string>;
  extra?: Record<string, string>;
  logDir: string;
  nodeArgs?: string[];
}): Promise<SpawnedProcess> {
  return spawnNodeServer({
    name: options.id,
    entry: path.join(repoRoot, "apps", "api", "src", "server.ts"),
    logDir: options.logDir,
    readyPath: "/ready",
    ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
    env: (port) => ({
      ...options.serviceEnv,
      HOST: "127.0.0.1",
      PORT: String(port),
      INSTANCE_ID: options.id,
      TRUSTED_PROXIES: "127.0.0.1",
      DRAIN_DELAY_MS: "0",
      // Small pools: the variants share one PostgreSQL with the stack's instances.
      DB_POOL_SIZE: "10",
      DB_POOL_OVERFLOW: "0",
      ...options.extra,
    }),
  });
}
