import type { HarnessStack } from "../harness/harness-stack.ts";
import { buildServerBundle, serverNodeFlags } from "@strata/stack";
import { spawnNodeServer, type SpawnedProcess } from "../harness/api-instance.ts";
import { sleep } from "../harness/http-request.ts";
import type { ImportDrill } from "./import-drill.ts";

export interface DrillContext {
  harness: HarnessStack;
  /** The drill's own worker (the stack runs none), so it can be killed and started again. */
  worker: SpawnedProcess;
  startWorker(): Promise<SpawnedProcess>;
  imports: ImportDrill;
  /** How long Redis stays stopped or frozen. */
  outageMs: number;
  log: (line: string) => void;
}

export interface Failure {
  id: string;
  title: string;
  run(ctx: DrillContext): Promise<string | void>;
}

const bothRedis = ["redisState", "redisCache"] as const;

/** The failures of the issue, each one injected while the mixed load runs. */
export const failures: Failure[] = [
  {
    id: "rolling-restart",
    title: "rolling restart of every API instance",
    run: ({ harness }) => harness.stack.rollingRestart(),
  },
  {
    id: "kill-instance",
    title: "kill -9 of an API instance (api-1), then started again",
    async run({ harness }) {
      harness.stack.killInstance("api-1");
      await sleep(2_000);
      await harness.stack.startInstance("api-1");
    },
  },
  {
    id: "redis-stopped",
    title: "both Redis stopped, started again after the outage",
    async run({ harness, outageMs }) {
      await Promise.all(bothRedis.map((name) => harness.stopServer(name)));
      await sleep(outageMs);
      await Promise.all(bothRedis.map((name) => harness.startServer(name)));
    },
  },
  {
    id: "redis-frozen",
    title: "both Redis frozen (SIGSTOP), thawed after the outage",
    async run({ harness, outageMs }) {
      const pids = bothRedis.map((name) => harness.servers[name].process.pid);
      for (const pid of pids) process.kill(pid, "SIGSTOP");
      try {
        await sleep(outageMs);
      } finally {
        for (const pid of pids) process.kill(pid, "SIGCONT");
      }
    },
  },
  {
    id: "postgres-restart",
    title: "PostgreSQL restarted",
    async run({ harness }) {
      await harness.stopServer("postgres");
      await harness.startServer("postgres");
    },
  },
  {
    id: "worker-killed",
    title: "worker killed (kill -9) during a CSV import, another started",
    async run(ctx) {
      const job = await ctx.imports.upload();
      if (!job) return "skipped: POST /api/imports is not available";
      await ctx.imports.waitUntilRunning(job);
      process.kill(ctx.worker.pid, "SIGKILL");
      await ctx.worker.process.exited;
      ctx.worker = await ctx.startWorker();
      const state = await ctx.imports.waitUntilDone(job);
      return `import ${state}`;
    },
  },
  {
    id: "nginx-reload",
    title: "nginx reloaded with a new configuration (scale 3 → 4 → 3)",
    async run({ harness }) {
      const count = harness.stack.status().instances.length;
      await harness.stack.scale(count + 1);
      await sleep(2_000);
      await harness.stack.scale(count);
    },
  },
];

/** The drill's worker: short stall detection, so a killed worker's job is retried quickly. */
export async function startDrillWorker(harness: HarnessStack, logDir: string, n: number) {
  return spawnNodeServer({
    name: `drill-worker-${n}`,
    entry: await buildServerBundle("worker"),
    nodeArgs: serverNodeFlags("worker"),
    logDir,
    readyPath: "/ready",
    env: (port) => ({
      ...harness.serviceEnv,
      INSTANCE_ID: `drill-worker-${n}`,
      WORKER_HOST: "127.0.0.1",
      WORKER_PORT: String(port),
      WORKER_LOCK_DURATION_MS: "3000",
      WORKER_STALLED_INTERVAL_MS: "1000",
      IMPORT_BATCH_SIZE: "200",
    }),
  });
}
