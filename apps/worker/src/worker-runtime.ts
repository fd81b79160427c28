import { Queue, Worker, type Processor } from "bullmq";
import { createCacheTiers, requestPathRedis } from "@strata/cache";
import type { Logger } from "pino";
import type { WorkerConfig } from "@strata/config";
import { createDatabase } from "@strata/db";
import {
  onProductChanged,
  assertNoEviction,
  createWorkerConnection,
  MAINTENANCE_EVERY_MS,
  MAINTENANCE_JOB,
  MAINTENANCE_SCHEDULER_ID,
  QUEUE_JOB_DEFAULTS,
  QUEUE_PREFIX,
  QueueName,
  WORKER_DEFAULTS,
} from "@strata/queue";
import { createStorage } from "@strata/storage";
import { startHttpServer, type WorkerPhase } from "./http-server.ts";
import type { JobContext } from "./job-context.ts";
import { importProcessor } from "./jobs/import-job.ts";
import { maintenanceProcessor } from "./jobs/maintenance-job.ts";
import { thumbnailProcessor } from "./jobs/thumbnail-job.ts";
import { createWorkerMetrics } from "./worker-metrics.ts";

export interface WorkerRuntime {
  /** http://host:port of /health, /ready and /metrics. */
  url: string;
  /**
   * The SIGTERM sequence: stop taking jobs, let the active ones finish within
   * `shutdownTimeoutMs`, then ask the rest to hand their job back (HANDBACK_GRACE_MS), and
   * close everything.
   */
  shutdown(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * After the shutdown bound, how long a job asked to hand back gets to do so: an import stops
 * at its next batch boundary, well within this. WORKER_SHUTDOWN_TIMEOUT_MS plus this must stay
 * under the orchestrator's grace period (Kubernetes: 30 s by default; 20 s + 5 s here).
 */
const HANDBACK_GRACE_MS = 5_000;

/** Starts the worker: its connections, one BullMQ worker per queue, the scheduler, HTTP. */
export async function startWorkerRuntime(
  config: WorkerConfig,
  log: Logger,
): Promise<WorkerRuntime> {
  let phase: WorkerPhase = "starting";
  const connection = createWorkerConnection(
    config.redis.stateUrl,
    `strata-worker:${config.instanceId}`,
  );
  let redisErrorReported = false;
  let lastRedisError: string | undefined;
  connection.on("error", (error: Error) => {
    if (!redisErrorReported) log.warn({ err: error.message }, "redis connection error");
    redisErrorReported = true;
    lastRedisError = error.message;
  });
  connection.on("ready", () => (redisErrorReported = false));
  // ioredis rejects with a bare "Connection is closed."; say which setting to look at.
  await connection.connect().catch((error: Error) => {
    throw new Error(
      `the state Redis (REDIS_STATE_URL) cannot be reached: ${lastRedisError ?? error.message}`,
      { cause: error },
    );
  });
  // Jobs on an evicting server vanish without a trace: refuse to run there at all.
  if ((await assertNoEviction(connection)) === "unverifiable") {
    log.warn("cannot read the state Redis maxmemory-policy (CONFIG disabled); assuming noeviction");
  }

  const db = createDatabase(config.db, {
    applicationName: `strata-worker:${config.instanceId}`,
    logger: log,
  });
  const storage = createStorage(config.storage);
  await storage
    .ensureBucket()
    .catch((error: unknown) =>
      log.warn({ err: (error as Error).message }, "object storage unavailable at start-up"),
    );
  const ctx: JobContext = { db, storage, log, importBatchSize: config.importBatchSize };

  // Producer-side handles on the same connection, for queue depth and the scheduler only.
  const queues = new Map(
    Object.values(QueueName).map((name) => [
      name,
      new Queue(name, {
        connection,
        prefix: QUEUE_PREFIX,
        defaultJobOptions: QUEUE_JOB_DEFAULTS[name],
      }),
    ]),
  );
  for (const queue of queues.values()) {
    queue.on("error", (error: Error) => log.warn({ err: error.message }, "queue error"));
  }
  const metrics = createWorkerMetrics(config.instanceId, queues);

  // Thumbnails and imports change what readers see: the worker invalidates every cache tier
  // exactly as an API write does (app cache on all instances, nginx, CDN, open browsers).
  const cacheRedis = requestPathRedis(
    config.redis.cacheUrl,
    config.redis.commandTimeoutMs,
    `strata-worker:${config.instanceId}:cache`,
  );
  cacheRedis.on("error", () => {});
  await cacheRedis
    .connect()
    .catch((error: Error) => log.warn({ err: error.message }, "cache Redis unreachable"));
  const cacheTiers = await createCacheTiers({
    config: config.cache,
    redis: cacheRedis,
    cacheUrl: config.redis.cacheUrl,
    name: `strata-worker:${config.instanceId}`,
    registry: metrics.registry,
    logger: log,
  });
  const stopInvalidating = onProductChanged(({ productIds }) =>
    cacheTiers.invalidator.afterWrite(["products", ...productIds.map((id) => `product:${id}`)]),
  );

  const processors: [QueueName, Processor, number][] = [
    [QueueName.thumbnails, thumbnailProcessor(ctx), config.concurrency.thumbnails],
    [QueueName.imports, importProcessor(ctx), config.concurrency.imports],
    [QueueName.maintenance, maintenanceProcessor(ctx), 1],
  ];
  const workers = processors.map(([name, processor, concurrency]) => {
    const worker = new Worker(name, metrics.timed(name, processor), {
      connection,
      prefix: QUEUE_PREFIX,
      concurrency,
      lockDuration: config.lockDurationMs,
      stalledInterval: config.stalledIntervalMs,
      maxStalledCount: WORKER_DEFAULTS.maxStalledCount,
      autorun: false,
    });
    worker.on("error", (error) => log.warn({ err: error.message, queue: name }, "worker error"));
    worker.on("failed", (job, error) =>
      log.warn(
        { queue: name, jobId: job?.id, attempt: job?.attemptsMade, err: error.message },
        "job failed",
      ),
    );
    worker.on("completed", (job) => log.info({ queue: name, jobId: job.id }, "job completed"));
    worker.on("stalled", (jobId) => log.warn({ queue: name, jobId }, "stalled job taken up again"));
    return worker;
  });

  // An upsert by id: however many workers start, and however often, one schedule exists.
  await queues
    .get(QueueName.maintenance)!
    .upsertJobScheduler(
      MAINTENANCE_SCHEDULER_ID,
      { every: MAINTENANCE_EVERY_MS },
      { name: MAINTENANCE_JOB, data: {}, opts: QUEUE_JOB_DEFAULTS[QueueName.maintenance] },
    );

  const http = await startHttpServer(config.http.host, config.http.port, {
    phase: () => phase,
    registry: metrics.registry,
    async checks() {
      const redis = connection.status === "ready" ? undefined : `redis ${connection.status}`;
      const database = await Promise.race([
        db.query("SELECT 1").then(() => undefined),
        sleep(1_000).then(() => "no answer within 1000 ms"),
      ]).catch((error: unknown) => (error as Error).message);
      return { "redis-state": redis, postgresql: database };
    },
  });

  for (const worker of workers) {
    worker.run().catch((error: unknown) => log.error({ err: error }, "worker loop stopped"));
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  phase = "serving";
  log.info(
    { url: http.url, concurrency: config.concurrency, queues: processors.map(([n]) => n) },
    "worker ready",
  );

  let shuttingDown: Promise<void> | undefined;
  return {
    url: http.url,
    shutdown: () =>
      (shuttingDown ??= (async () => {
        phase = "draining";
        const bound = config.shutdownTimeoutMs;
        log.info({ boundMs: bound }, "draining: no new jobs; waiting for active ones");
        const closed = Promise.all(workers.map((w) => w.close()));
        const done = (ms: number) =>
          Promise.race([closed.then(() => true), sleep(ms).then(() => false)]);
        if (!(await done(bound))) {
          log.warn("active jobs still running at the bound; asking them to hand back");
          for (const worker of workers) worker.cancelAllJobs("worker shutting down");
          if (!(await done(HANDBACK_GRACE_MS))) {
            // Their locks expire and another worker takes them up as stalled: nothing is lost.
            log.warn("jobs still running; leaving them to the stalled-job check");
          }
        }
        await Promise.allSettled([...queues.values()].map((q) => q.close()));
        stopInvalidating();
        await cacheTiers.close();
        cacheRedis.disconnect();
        connection.disconnect();
        await db.close().catch(() => {});
        storage.close();
        await http.close();
        log.info("worker stopped");
      })()),
  };
}
