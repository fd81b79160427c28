/**
 * The worker process: `node --import tsx apps/worker/src/main.ts`. Consumes the thumbnail,
 * import and maintenance queues (BullMQ on the state Redis) with the concurrency from the
 * environment and serves /health, /ready and /metrics on WORKER_HOST:WORKER_PORT.
 *
 * SIGTERM or SIGINT: stop taking jobs, let the active ones finish within
 * WORKER_SHUTDOWN_TIMEOUT_MS (imports hand their job back at the next batch boundary past
 * that), close everything, exit 0. A worker killed outright loses nothing either: its jobs'
 * locks expire and another worker takes them up as stalled.
 */
import pino from "pino";
import { ConfigError, loadWorkerConfig } from "@strata/config";
import { EvictingRedisError } from "@strata/queue";
import { startWorkerRuntime, type WorkerRuntime } from "./worker-runtime.ts";

let config;
try {
  config = loadWorkerConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const log = pino({
  level: config.logLevel,
  base: { instance: config.instanceId, role: "worker" },
  redact: { paths: ["*.password", "*.secretAccessKey"], censor: "[redacted]" },
});

let runtime: WorkerRuntime | undefined;
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  // Starting up when the signal came: nothing to drain, just leave.
  if (!runtime) process.exit(0);
  runtime.shutdown().then(
    () => process.exit(0),
    (error: unknown) => {
      log.error({ err: error }, "shutdown failed");
      process.exit(1);
    },
  );
};
process.once("SIGTERM", () => stop("SIGTERM"));
process.once("SIGINT", () => stop("SIGINT"));
process.on("unhandledRejection", (error) => log.error({ err: error }, "unhandled rejection"));

try {
  runtime = await startWorkerRuntime(config, log);
} catch (error) {
  const message =
    error instanceof EvictingRedisError ? error.message : ((error as Error).stack ?? String(error));
  log.fatal({ err: message }, "worker could not start");
  process.exit(1);
}
