/**
 * Every queue, by name. A queue holds one kind of job so that each can have its own
 * concurrency (thumbnails are CPU-bound, imports hold a database connection) and its own
 * depth on the dashboards.
 */
export const QueueName = {
  thumbnails: "thumbnails",
  imports: "imports",
  maintenance: "maintenance",
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);
