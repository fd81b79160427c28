import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startRedis } from "@strata/local-servers";
import { QueueName, type ImportProgress } from "@strata/queue";
import { bigCsv, enqueueCsv } from "./support/imports.ts";
import { spawnWorker, type WorkerProcess } from "./support/worker-process.ts";
import {
  createCategory,
  startWorkerBackends,
  waitForJobState,
  type WorkerBackends,
} from "./support/worker-backends.ts";

let backends: WorkerBackends;
const workers: WorkerProcess[] = [];
// Small batches: a file of ROWS rows is many transactions, so a signal lands mid-job.
const ROWS = 8_000;
const env = { IMPORT_BATCH_SIZE: "250", WORKER_IMPORT_CONCURRENCY: "1" };

beforeAll(async () => {
  backends = await startWorkerBackends(env);
  await createCategory(backends.db, "tools");
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.kill()));
});

afterAll(async () => {
  await backends?.stop();
});

async function start(extra: Record<string, string> = {}) {
  const worker = await spawnWorker({ ...backends.env, ...extra });
  workers.push(worker);
  return worker;
}

/** Waits until the import has committed at least one batch and is still running. */
async function waitUntilMidway(importId: string): Promise<number> {
  const queue = backends.queue(QueueName.imports);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const job = await queue.getJob(importId);
    const progress = job?.progress as ImportProgress | number | undefined;
    if (typeof progress === "object" && progress.rowsRead > 0) {
      if (progress.rowsRead >= ROWS) throw new Error("the import finished before the signal");
      return progress.rowsRead;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the import never started");
}

async function countSkus(prefix: string): Promise<{ rows: number; distinct: number }> {
  const { rows } = await backends.db.query<{ rows: string; distinct: string }>(
    "SELECT count(*) AS rows, count(DISTINCT sku) AS distinct FROM products WHERE sku LIKE $1",
    [`${prefix}-%`],
  );
  return { rows: Number(rows[0]!.rows), distinct: Number(rows[0]!.distinct) };
}

describe("worker lifecycle", () => {
  it(
    "on SIGTERM finishes the active job, takes no new one, and exits 0",
    { timeout: 120_000 },
    async () => {
      const worker = await start();
      const first = await enqueueCsv(backends, bigCsv(ROWS, "T", "tools"));
      const second = await enqueueCsv(backends, bigCsv(10, "U", "tools"));
      await waitUntilMidway(first);
      worker.child.kill("SIGTERM");
      expect(await worker.exited).toEqual({ code: 0, signal: null });
      const queue = backends.queue(QueueName.imports);
      expect(await (await queue.getJob(first))!.getState()).toBe("completed");
      expect(((await queue.getJob(first))!.returnvalue as ImportProgress).inserted).toBe(ROWS);
      expect(await (await queue.getJob(second))!.getState()).toBe("waiting");
      expect(worker.output()).toMatch(/"msg":"draining: no new jobs; waiting for active ones"/);
    },
  );

  it(
    "hands an import back at the shutdown bound; another worker finishes it exactly",
    { timeout: 120_000 },
    async () => {
      const worker = await start({ WORKER_SHUTDOWN_TIMEOUT_MS: "300" });
      const id = await enqueueCsv(backends, bigCsv(ROWS, "H", "tools"));
      await waitUntilMidway(id);
      worker.child.kill("SIGTERM");
      expect(await worker.exited).toEqual({ code: 0, signal: null });
      const queue = backends.queue(QueueName.imports);
      const handedBack = (await queue.getJob(id))!;
      expect(await handedBack.getState()).toBe("waiting");
      expect(handedBack.attemptsMade).toBe(0);
      const done = await countSkus("H");
      expect(done.rows).toBeGreaterThan(0);
      expect(done.rows).toBeLessThan(ROWS);

      await start();
      expect(await waitForJobState(queue, id, ["completed", "failed"], 60_000)).toBe("completed");
      const report = (await queue.getJob(id))!.returnvalue as ImportProgress;
      expect(report).toMatchObject({ rowsRead: ROWS, inserted: ROWS, updated: 0, unchanged: 0 });
      expect(await countSkus("H")).toEqual({ rows: ROWS, distinct: ROWS });
    },
  );

  it(
    "after kill -9 mid-import, the job is taken up again and completes with exact counts",
    { timeout: 120_000 },
    async () => {
      const worker = await start();
      const id = await enqueueCsv(backends, bigCsv(ROWS, "K", "tools"));
      await waitUntilMidway(id);
      worker.child.kill("SIGKILL");
      await worker.exited;
      const queue = backends.queue(QueueName.imports);
      expect(await (await queue.getJob(id))!.getState()).toBe("active"); // locked by the dead one

      await start();
      expect(await waitForJobState(queue, id, ["completed", "failed"], 60_000)).toBe("completed");
      const report = (await queue.getJob(id))!.returnvalue as ImportProgress;
      expect(report).toMatchObject({ rowsRead: ROWS, inserted: ROWS, updated: 0, rejected: 0 });
      expect(await countSkus("K")).toEqual({ rows: ROWS, distinct: ROWS });
      // Started twice: by the worker that died, then again by the next one.
      expect((await queue.getJob(id))!.attemptsStarted).toBeGreaterThanOrEqual(2);
    },
  );

  it("registers the recurring maintenance job once, whatever the number of workers", async () => {
    await Promise.all([start(), start()]);
    const schedulers = await backends.queue(QueueName.maintenance).getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(["maintenance-every-minute"]);
  });

  it("refuses to start on a Redis that may evict keys", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-test-lru-"));
    const lru = await startRedis({ dataDir, maxmemoryPolicy: "allkeys-lru" });
    try {
      const worker = await spawnWorker(
        { ...backends.env, REDIS_STATE_URL: lru.url },
        { waitReady: false },
      );
      workers.push(worker);
      expect((await worker.exited).code).toBe(1);
      expect(worker.output()).toMatch(/noeviction/);
    } finally {
      await lru.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
