import fs from "node:fs";
import path from "node:path";
import { startProcess, tail, type ManagedProcess } from "./child.ts";
import { freePort, isListening, waitFor } from "./ports.ts";
import { ensureDebianPackage } from "./system-packages.ts";

export interface RedisOptions {
  dataDir: string;
  port?: number;
  /** `noeviction` for state (sessions, queues, counters); `allkeys-lru` for a cache. */
  maxmemoryPolicy: "noeviction" | "allkeys-lru";
  maxmemory?: string;
  /** Keep data across restarts (append-only file). Off for throw-away test servers. */
  persistent?: boolean;
}

export interface RedisServer {
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Starts a private Redis server on 127.0.0.1. */
export async function startRedis(options: RedisOptions): Promise<RedisServer> {
  ensureDebianPackage("redis-server", "redis-server");
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dataDir,
    "--daemonize",
    "no",
    "--save",
    "",
    "--appendonly",
    options.persistent ? "yes" : "no",
    "--maxmemory-policy",
    options.maxmemoryPolicy,
    "--maxmemory",
    options.maxmemory ?? "0",
    "--protected-mode",
    "yes",
  ];
  const logFile = path.join(dataDir, "redis.log");
  const child = startProcess("redis", "redis-server", args, logFile);
  try {
    await waitFor("Redis to listen", async () => {
      if (child.child.exitCode !== null) throw new Error("exited");
      return isListening(port);
    });
  } catch (error) {
    await child.stop("SIGKILL");
    throw new Error(`Redis did not start: ${(error as Error).message}\n${tail(logFile)}`, {
      cause: error,
    });
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: child,
    // SIGTERM makes Redis flush its append-only file and exit cleanly.
    stop: () => child.stop("SIGTERM", 15_000),
  };
}
