export { QueueName, ALL_QUEUES } from "./queue-names.ts";
export { JOB_DEFAULTS, QUEUE_JOB_DEFAULTS, WORKER_DEFAULTS } from "./job-defaults.ts";
export {
  QUEUE_PREFIX,
  EvictingRedisError,
  assertNoEviction,
  createWorkerConnection,
} from "./connection.ts";
export { createProducers, type Producers } from "./producers.ts";
export { ThumbnailJob, THUMBNAIL_JOB, thumbnailJobId } from "./jobs/thumbnail-job.ts";
export {
  ImportJob,
  IMPORT_JOB,
  ImportProgress,
  MAX_REPORTED_ROW_ERRORS,
  RowError,
} from "./jobs/import-job.ts";
export {
  MaintenanceJob,
  MAINTENANCE_JOB,
  MAINTENANCE_SCHEDULER_ID,
  MAINTENANCE_EVERY_MS,
} from "./jobs/maintenance-job.ts";
export { publishProductChanged, onProductChanged, type ProductChange } from "./product-changed.ts";
