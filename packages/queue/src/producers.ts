import type * as BullMQ from "bullmq";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { QUEUE_PREFIX } from "./connection.ts";
import { QUEUE_JOB_DEFAULTS } from "./job-defaults.ts";
import { IMPORT_JOB, ImportJob } from "./jobs/import-job.ts";
import { THUMBNAIL_JOB, ThumbnailJob, thumbnailJobId } from "./jobs/thumbnail-job.ts";
import { QueueName } from "./queue-names.ts";

/** The producing side (the API): it enqueues and inspects, and never processes. */
export interface Producers {
  /** The queue object, for inspection (job state, failed jobs, retries). */
  queue(name: QueueName): Promise<Queue>;
  /** Validates the payload and enqueues it; resolves with the job id. */
  enqueueThumbnail(job: ThumbnailJob): Promise<string>;
  enqueueImport(job: ImportJob): Promise<string>;
  close(): Promise<void>;
}

let bullmq: Promise<typeof BullMQ> | undefined;

/**
 * Queues on a caller-owned Redis client (the API's state client: `noeviction`, checked at
 * start-up, with a command timeout so an enqueue fails fast when Redis is away). Each queue is
 * created on first use, so a process that never enqueues opens nothing; BullMQ itself is
 * loaded then too: its modules hold ~12 MB resident that an API instance serving only reads
 * never needs (docs/performance.md).
 */
export function createProducers(
  connection: Redis,
  onError: (error: Error, queue: QueueName) => void,
): Producers {
  const queues = new Map<QueueName, Promise<Queue>>();
  const queue = (name: QueueName): Promise<Queue> => {
    let q = queues.get(name);
    if (!q) {
      q = (bullmq ??= import("bullmq")).then(({ Queue }) => {
        const created = new Queue(name, {
          connection,
          prefix: QUEUE_PREFIX,
          defaultJobOptions: QUEUE_JOB_DEFAULTS[name],
        });
        // Without a listener an EventEmitter 'error' (Redis gone) would crash the process.
        created.on("error", (error: Error) => onError(error, name));
        return created;
      });
      queues.set(name, q);
    }
    return q;
  };
  return {
    queue,
    async enqueueThumbnail(payload) {
      const data = ThumbnailJob.parse(payload);
      const job = await (
        await queue(QueueName.thumbnails)
      ).add(THUMBNAIL_JOB, data, {
        jobId: thumbnailJobId(data.imageId),
      });
      return job.id!;
    },
    async enqueueImport(payload) {
      const data = ImportJob.parse(payload);
      const job = await (
        await queue(QueueName.imports)
      ).add(IMPORT_JOB, data, { jobId: data.importId });
      return job.id!;
    },
    async close() {
      await Promise.allSettled([...queues.values()].map(async (q) => (await q).close()));
      queues.clear();
    },
  };
}
