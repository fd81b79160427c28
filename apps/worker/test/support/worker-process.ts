import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/main.ts");

export interface WorkerProcess {
  child: ChildProcess;
  /** http://host:port of its /health, /ready and /metrics. */
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running. */
  kill(): Promise<void>;
}

// Every worker a test file started, killed when the file's process exits whatever happened
// (a failed start, a timed-out test): a stray worker would keep consuming someone's queue.
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Runs the real worker entry point as a child process, as production does. */
export async function spawnWorker(
  env: Record<string, string>,
  { waitReady = true } = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: {
      ...process.env,
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      WORKER_PORT: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  let url = "";
  if (waitReady) {
    // Generous: on a loaded two-core machine, loading the code alone can take many seconds.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const line = output.split("\n").find((l) => l.includes('"msg":"worker ready"'));
      if (line) {
        url = (JSON.parse(line) as { url: string }).url;
        break;
      }
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`worker exited early:\n${output}`);
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`worker not ready within 60 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    child,
    get url() {
      return url;
    },
    output: () => output,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}
