import { WaitingError, type Job, type Processor, type Queue } from "bullmq";
import client from "prom-client";
import type { QueueName } from "@strata/queue";

const COUNT_STATES = [
  "waiting",
  "active",
  "delayed",
  "prioritized",
  "failed",
  "completed",
] as const;

/**
 * The worker's Prometheus metrics: queue depth by state (read from Redis at scrape time, so
 * every worker reports the same whole-queue numbers), the jobs this process is running, and
 * how long jobs take by outcome.
 */
export function createWorkerMetrics(instanceId: string, queues: Map<QueueName, Queue>) {
  const registry = new client.Registry();
  registry.setDefaultLabels({ instance_id: instanceId });
  client.collectDefaultMetrics({ register: registry });

  new client.Gauge({
    name: "queue_jobs",
    help: "Jobs in each queue by state (whole queue, from Redis); -1 when Redis did not answer",
    labelNames: ["queue", "state"] as const,
    registers: [registry],
    async collect() {
      await Promise.all(
        [...queues].map(async ([name, queue]) => {
          const counts = await withTimeout(queue.getJobCounts(...COUNT_STATES), 1_000).catch(
            () => undefined,
          );
          for (const state of COUNT_STATES) this.set({ queue: name, state }, counts?.[state] ?? -1);
        }),
      );
    },
  });
  const active = new client.Gauge({
    name: "worker_active_jobs",
    help: "Jobs this worker process is running now",
    labelNames: ["queue"] as const,
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: "worker_job_duration_seconds",
    help: "Job run time in this worker by queue and outcome (completed, failed, handed_back)",
    labelNames: ["queue", "outcome"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [registry],
  });
  const failures = new client.Counter({
    name: "worker_job_failures_total",
    help: "Job attempts that failed in this worker, by queue (retried or not)",
    labelNames: ["queue"] as const,
    registers: [registry],
  });

  return {
    registry,
    /**
     * Wraps a processor so every run is counted and timed. The wrapper declares all three
     * parameters: BullMQ passes the abort signal only to processors of arity 3.
     */
    timed<R>(queue: QueueName, fn: Processor<unknown, R>): Processor<unknown, R> {
      return async (job: Job, token?: string, signal?: AbortSignal): Promise<R> => {
        active.inc({ queue });
        const end = duration.startTimer({ queue });
        try {
          const result = await fn(job, token, signal);
          end({ outcome: "completed" });
          return result;
        } catch (error) {
          const handedBack = error instanceof WaitingError;
          end({ outcome: handedBack ? "handed_back" : "failed" });
          if (!handedBack) failures.inc({ queue });
          throw error;
        } finally {
          active.dec({ queue });
        }
      };
    },
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
