import type { OpsJob, OpsQueue } from "@strata/contracts";
import { ALL_QUEUES, type Producers } from "@strata/queue";

const STATES = ["waiting", "active", "delayed", "failed", "completed"] as const;

/** A job's progress as a percentage: a number, or an import's bytes read out of its size. */
function percentOf(progress: unknown): number | null {
  if (typeof progress === "number") return Math.max(0, Math.min(100, progress));
  if (progress && typeof progress === "object") {
    const { bytesRead, byteSize } = progress as { bytesRead?: unknown; byteSize?: unknown };
    if (typeof bytesRead === "number" && typeof byteSize === "number" && byteSize > 0) {
      return Math.min(100, (bytesRead / byteSize) * 100);
    }
  }
  return null;
}

/**
 * Depth of every queue and the jobs running now, read from the state Redis (BullMQ's own
 * counts, the same numbers every worker's /metrics reports).
 */
export async function queueSummary(
  producers: Producers,
  activeLimit = 10,
): Promise<{ queues: OpsQueue[]; jobs: OpsJob[] }> {
  const results = await Promise.all(
    ALL_QUEUES.map(async (name) => {
      const queue = await producers.queue(name);
      const [counts, active] = await Promise.all([
        queue.getJobCounts(...STATES),
        queue.getActive(0, activeLimit - 1),
      ]);
      const row: OpsQueue = {
        name,
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        completed: counts.completed ?? 0,
      };
      const jobs: OpsJob[] = active.map((job) => ({
        id: String(job.id),
        queue: name,
        name: job.name,
        percent: percentOf(job.progress),
      }));
      return { row, jobs };
    }),
  );
  return { queues: results.map((r) => r.row), jobs: results.flatMap((r) => r.jobs) };
}
