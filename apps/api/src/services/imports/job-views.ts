import type { Job, Queue } from "bullmq";
import {
  ImportProgress,
  type ImportStatus,
  type JobState,
  type JobSummary,
} from "@strata/contracts";

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

/**
 * An import's status, or undefined when there is no such job. The state is read before the
 * job: BullMQ finishes a job in one step (report, finishedOn and the move to `completed`), so
 * fields read after the state are never older than it. The other order answered `completed`
 * with the fields of a moment before (no report, no finishedAt), and the event stream and the
 * front end stop at that answer.
 */
export async function loadImportStatus(
  queue: Pick<Queue, "getJob" | "getJobState">,
  id: string,
): Promise<ImportStatus | undefined> {
  const state = await queue.getJobState(id);
  if (state === "unknown") return undefined;
  const job = await queue.getJob(id);
  return job ? importStatusOf(job, state as JobState) : undefined;
}

/** What an admin sees of an import job in `state` (read before the job: loadImportStatus). */
export function importStatusOf(job: Job, state: JobState): ImportStatus {
  // The final report once completed; the last committed batch's progress before that.
  const raw: unknown = state === "completed" ? job.returnvalue : job.progress;
  const progress = ImportProgress.safeParse(raw);
  const data = job.data as { fileName?: string; byteSize?: number };
  return {
    id: job.id!,
    state,
    fileName: data.fileName ?? "",
    byteSize: data.byteSize ?? 0,
    progress: progress.success ? progress.data : null,
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    failedReason: job.failedReason || null,
    createdAt: iso(job.timestamp)!,
    finishedAt: iso(job.finishedOn),
    links: { self: `/api/imports/${job.id}`, events: `/api/imports/${job.id}/events` },
  };
}

/** A job of any queue, for the failed-jobs list. */
export function jobSummaryOf(queue: JobSummary["queue"], job: Job, state: JobState): JobSummary {
  return {
    queue,
    id: job.id!,
    name: job.name,
    state,
    data: (job.data ?? {}) as Record<string, unknown>,
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    failedReason: job.failedReason || null,
    createdAt: iso(job.timestamp)!,
    finishedAt: iso(job.finishedOn),
  };
}
