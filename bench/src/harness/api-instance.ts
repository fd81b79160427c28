import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { freePort, startProcess, tail, waitFor, type ManagedProcess } from "@strata/local-servers";
import { buildServerBundle, serverNodeFlags } from "@strata/stack";

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
 * Starts an entry point as its own Node process, listening on a free port, and waits until
 * `readyPath` answers 200: a TypeScript file through tsx, or a built bundle (`.mjs`) as is.
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
      ...(options.entry.endsWith(".ts") ? ["--import", tsxLoader] : []),
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
export async function spawnApiInstance(options: {
  id: string;
  serviceEnv: Record<string, string>;
  extra?: Record<string, string>;
  logDir: string;
  nodeArgs?: string[];
}): Promise<SpawnedProcess> {
  // The bundle the stack and the images run, so memory and speed are production's.
  const bundle = await buildServerBundle("api");
  return spawnNodeServer({
    name: options.id,
    entry: bundle,
    logDir: options.logDir,
    readyPath: "/ready",
    nodeArgs: [...(options.nodeArgs ?? []), ...serverNodeFlags("api")],
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
