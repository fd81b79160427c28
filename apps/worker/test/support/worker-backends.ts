import type { Queue } from "bullmq";
import { Redis } from "ioredis";
import { loadWorkerConfig, type WorkerConfig } from "@strata/config";
import { createDatabase, type Database } from "@strata/db";
import { ALL_QUEUES, createProducers, type Producers, type QueueName } from "@strata/queue";
import { createStorage, type Storage } from "@strata/storage";
import { createTestDatabase } from "../../../../test/support/database.ts";
import { startTestRedis } from "../../../../test/support/redis.ts";
import { startTestS3, type TestS3 } from "../../../../test/support/s3.ts";

export interface WorkerBackends {
  /** Environment for a worker process on these servers. */
  env: Record<string, string>;
  config: WorkerConfig;
  db: Database;
  storage: Storage;
  s3: TestS3;
  redis: Redis;
  producers: Producers;
  queue(name: QueueName): Queue;
  stop(): Promise<void>;
}

/** A fresh database, a private noeviction Redis and a private S3 server for one test file. */
export async function startWorkerBackends(
  env: Record<string, string> = {},
): Promise<WorkerBackends> {
  const [database, redisServer, s3] = await Promise.all([
    createTestDatabase(),
    startTestRedis(),
    startTestS3(),
  ]);
  const fullEnv: Record<string, string> = {
    NODE_ENV: "test",
    DATABASE_URL: database.url,
    REDIS_STATE_URL: redisServer.url,
    DB_POOL_SIZE: "4",
    DB_POOL_OVERFLOW: "2",
    // Short locks so a killed worker's job is taken up again within seconds, not a minute.
    WORKER_LOCK_DURATION_MS: "2000",
    WORKER_STALLED_INTERVAL_MS: "1000",
    ...s3.env,
    ...env,
  };
  const config = loadWorkerConfig(fullEnv);
  const db = createDatabase(config.db, { applicationName: "strata-worker-test" });
  const storage = createStorage(config.storage);
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  const producers = createProducers(redis, () => {});
  // The tests read queues synchronously; the producers create them (and load BullMQ) on demand.
  const queues = new Map(
    await Promise.all(ALL_QUEUES.map(async (name) => [name, await producers.queue(name)] as const)),
  );
  return {
    env: fullEnv,
    config,
    db,
    storage,
    s3,
    redis,
    producers,
    queue: (name) => queues.get(name)!,
    async stop() {
      await producers.close();
      redis.disconnect();
      storage.close();
      await db.close();
      await Promise.allSettled([database.drop(), redisServer.stop(), s3.destroy()]);
    },
  };
}

/** Polls a job until it reaches one of `states`; returns the final state. */
export async function waitForJobState(
  queue: Queue,
  jobId: string,
  states: string[],
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let state = "missing";
  while (Date.now() < deadline) {
    const job = await queue.getJob(jobId);
    state = job ? await job.getState() : "missing";
    if (states.includes(state)) return state;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${jobId} still ${state} after ${timeoutMs} ms (wanted ${states.join("/")})`);
}

/** Inserts a category and returns its id. */
export async function createCategory(db: Database, slug: string): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    "INSERT INTO categories (slug, name) VALUES ($1, $2) RETURNING id",
    [slug, slug.replace(/-/g, " ")],
  );
  return Number(rows[0]!.id);
}

/** Inserts a product and returns its id. */
export async function createProduct(db: Database, categoryId: number, name = "Test product") {
  const { rows } = await db.query<{ id: string }>(
    "INSERT INTO products (category_id, name, price_cents) VALUES ($1, $2, 1000) RETURNING id",
    [categoryId, name],
  );
  return Number(rows[0]!.id);
}
