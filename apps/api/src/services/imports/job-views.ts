import type { Job } from "bullmq";
import {
  ImportProgress,
  type ImportStatus,
  type JobState,
  type JobSummary,
} from "@strata/contracts";

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

/** What an admin sees of an import job. */
export async function importStatusOf(job: Job): Promise<ImportStatus> {
  const state = (await job.getState()) as JobState;
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
