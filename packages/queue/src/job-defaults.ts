import type { DefaultJobOptions } from "bullmq";
import { QueueName } from "./queue-names.ts";

const DAY_S = 24 * 3600;

/**
 * The one place where retries and retention are decided. BullMQ is at-least-once: a job may
 * run again after a crash or a retry, so every handler is idempotent.
 *
 * - attempts and exponential backoff: a store or database blip is retried 2 s, 4 s, 8 s, 16 s
 *   later instead of failing the job, and a real outage is not hammered;
 * - completed jobs are kept a week (or the last 1000) so an admin can still read an import's
 *   report; failed ones a month (or the last 5000) so they stay inspectable and retryable.
 */
export const JOB_DEFAULTS = {
  attempts: 5,
  backoff: { type: "exponential", delay: 2_000 },
  removeOnComplete: { age: 7 * DAY_S, count: 1_000 },
  removeOnFail: { age: 30 * DAY_S, count: 5_000 },
} satisfies DefaultJobOptions;

/** Per-queue differences from JOB_DEFAULTS, each with its reason. */
export const QUEUE_JOB_DEFAULTS: Record<QueueName, DefaultJobOptions> = {
  [QueueName.thumbnails]: JOB_DEFAULTS,
  // An import resumes from its last committed batch, so a retry costs little; but a file that
  // fails three times is almost always the file's fault, which an admin should look at.
  [QueueName.imports]: { ...JOB_DEFAULTS, attempts: 3 },
  // Recurring housekeeping: the next run comes soon anyway, and its history is not needed.
  [QueueName.maintenance]: {
    ...JOB_DEFAULTS,
    attempts: 1,
    removeOnComplete: { count: 10 },
    removeOnFail: { count: 50 },
  },
};

/**
 * Worker-side defaults. `maxStalledCount: 2`: a job whose worker died is taken up again (twice
 * at most); a job that keeps killing its worker is a poison job and is failed instead of
 * taking the whole fleet down in turn.
 */
export const WORKER_DEFAULTS = {
  maxStalledCount: 2,
} as const;
