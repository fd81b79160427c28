import crypto from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { QueueName } from "@strata/queue";
import { IMMUTABLE_CACHE_CONTROL, imageKey } from "@strata/storage";
import { makeImage } from "../../../test/support/images.ts";
import { spawnWorker, type WorkerProcess } from "./support/worker-process.ts";
import {
  createCategory,
  createProduct,
  startWorkerBackends,
  waitForJobState,
  type WorkerBackends,
} from "./support/worker-backends.ts";

let backends: WorkerBackends;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  backends = await startWorkerBackends();
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

describe("a worker killed during a thumbnail job", () => {
  it(
    "after kill -9 mid-thumbnail, every image ends with exactly its three thumbnails",
    { timeout: 120_000 },
    async () => {
      const productId = await createProduct(backends.db, await createCategory(backends.db, "rugs"));
      const jobs = [];
      for (let seed = 0; seed < 3; seed++) {
        // Large enough that rendering takes a moment, so the kill lands while one is active.
        const bytes = await makeImage("jpeg", { width: 4000, height: 3000, seed });
        const key = imageKey(crypto.createHash("sha256").update(bytes).digest("hex"));
        await backends.storage.put(key, bytes, {
          contentType: "image/jpeg",
          cacheControl: IMMUTABLE_CACHE_CONTROL,
        });
        const { rows } = await backends.db.query<{ id: string }>(
          `INSERT INTO product_images (product_id, object_key, content_type, byte_size)
         VALUES ($1, $2, 'image/jpeg', $3) RETURNING id`,
          [productId, key, bytes.length],
        );
        jobs.push({ imageId: Number(rows[0]!.id), productId, objectKey: key });
      }
      const ids = await Promise.all(jobs.map((job) => backends.producers.enqueueThumbnail(job)));
      const queue = backends.queue(QueueName.thumbnails);
      const worker = await start({ WORKER_CONCURRENCY: "1" });
      const deadline = Date.now() + 30_000;
      let activeAtKill: string | undefined;
      while (!activeAtKill && Date.now() < deadline) {
        for (const id of ids)
          if ((await (await queue.getJob(id))!.getState()) === "active") activeAtKill = id;
        if (!activeAtKill) await new Promise((r) => setTimeout(r, 10));
      }
      worker.child.kill("SIGKILL");
      await worker.exited;

      await start();
      for (const id of ids)
        expect(await waitForJobState(queue, id, ["completed", "failed"], 45_000)).toBe("completed");
      // The job the dead worker held was started again by the next one.
      if (activeAtKill) {
        expect((await queue.getJob(activeAtKill))!.attemptsStarted).toBeGreaterThanOrEqual(2);
      }
      for (const job of jobs) {
        const { rows } = await backends.db.query<{ thumbnails: Record<string, { key: string }> }>(
          "SELECT thumbnails FROM product_images WHERE id = $1",
          [job.imageId],
        );
        expect(Object.keys(rows[0]!.thumbnails).sort()).toEqual(["large", "medium", "small"]);
        const objects: string[] = [];
        for await (const object of backends.storage.list(`${job.objectKey}.`))
          objects.push(object.key);
        expect(objects.sort()).toEqual(
          Object.values(rows[0]!.thumbnails)
            .map((t) => t.key)
            .sort(),
        );
      }
    },
  );
});
