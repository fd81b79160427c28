import crypto from "node:crypto";
import { buffer } from "node:stream/consumers";
import pino from "pino";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueueName, thumbnailJobId } from "@strata/queue";
import { IMMUTABLE_CACHE_CONTROL, imageKey } from "@strata/storage";
import { makeImage } from "../../../test/support/images.ts";
import { makeThumbnails } from "../src/jobs/thumbnail-job.ts";
import type { JobContext } from "../src/job-context.ts";
import { spawnWorker, type WorkerProcess } from "./support/worker-process.ts";
import {
  createCategory,
  createProduct,
  startWorkerBackends,
  waitForJobState,
  type WorkerBackends,
} from "./support/worker-backends.ts";

let backends: WorkerBackends;
let worker: WorkerProcess;
let productId: number;

beforeAll(async () => {
  backends = await startWorkerBackends();
  productId = await createProduct(backends.db, await createCategory(backends.db, "lamps"));
  worker = await spawnWorker(backends.env);
});

afterAll(async () => {
  await worker?.kill();
  await backends?.stop();
});

/** Stores `bytes` as an uploaded original and records the image row, as the API does. */
async function storeOriginal(bytes: Buffer, contentType = "image/png") {
  const sha = crypto.createHash("sha256").update(bytes).digest("hex");
  const key = imageKey(sha);
  await backends.storage.put(key, bytes, { contentType, cacheControl: IMMUTABLE_CACHE_CONTROL });
  const { rows } = await backends.db.query<{ id: string }>(
    `INSERT INTO product_images (product_id, object_key, content_type, byte_size)
     VALUES ($1, $2, $3, $4) RETURNING id`,
    [productId, key, contentType, bytes.length],
  );
  return { imageId: Number(rows[0]!.id), productId, objectKey: key };
}

interface ImageRow {
  thumbnails: Record<string, { key: string; width: number; height: number }>;
  width: number | null;
  height: number | null;
  thumbnail_error: string | null;
}

async function imageRow(imageId: number): Promise<ImageRow> {
  const { rows } = await backends.db.query<ImageRow>(
    "SELECT thumbnails, width, height, thumbnail_error FROM product_images WHERE id = $1",
    [imageId],
  );
  return rows[0]!;
}

describe("thumbnail job", () => {
  it("writes three WebP sizes to storage and records them", async () => {
    const job = await storeOriginal(
      await makeImage("jpeg", { width: 2000, height: 1000 }),
      "image/jpeg",
    );
    const id = await backends.producers.enqueueThumbnail(job);
    expect(id).toBe(thumbnailJobId(job.imageId));
    expect(
      await waitForJobState(backends.queue(QueueName.thumbnails), id, ["completed", "failed"]),
    ).toBe("completed");

    const row = await imageRow(job.imageId);
    expect(row).toMatchObject({ width: 2000, height: 1000, thumbnail_error: null });
    expect(Object.keys(row.thumbnails).sort()).toEqual(["large", "medium", "small"]);
    expect(row.thumbnails.small).toEqual({
      key: `${job.objectKey}.small.webp`,
      width: 160,
      height: 80,
    });
    expect(row.thumbnails.medium).toMatchObject({ width: 480, height: 240 });
    expect(row.thumbnails.large).toMatchObject({ width: 1200, height: 600 });
    for (const { key, width } of Object.values(row.thumbnails)) {
      const object = await backends.storage.get(key);
      expect(object.contentType).toBe("image/webp");
      const meta = await sharp(await buffer(object.body)).metadata();
      expect(meta).toMatchObject({ format: "webp", width });
    }
  });

  it("never enlarges a small image", async () => {
    const job = await storeOriginal(await makeImage("png", { width: 100, height: 50, seed: 1 }));
    const id = await backends.producers.enqueueThumbnail(job);
    await waitForJobState(backends.queue(QueueName.thumbnails), id, ["completed"]);
    const row = await imageRow(job.imageId);
    expect(Object.values(row.thumbnails).map((t) => t.width)).toEqual([100, 100, 100]);
  });

  it("is idempotent: a rerun after a crash before the UPDATE writes the same objects", async () => {
    const ctx: JobContext = {
      db: backends.db,
      storage: backends.storage,
      log: pino({ level: "silent" }),
      importBatchSize: 100,
    };
    const job = await storeOriginal(await makeImage("webp", { seed: 2 }), "image/webp");
    expect((await makeThumbnails(ctx, job)).outcome).toBe("made");
    const first = await imageRow(job.imageId);
    const bytes = await buffer((await backends.storage.get(first.thumbnails.medium!.key)).body);

    // A second delivery of the same job changes nothing.
    expect((await makeThumbnails(ctx, job)).outcome).toBe("already made");

    // As if the worker died after writing the objects but before recording them.
    await backends.db.query("UPDATE product_images SET thumbnails = '{}' WHERE id = $1", [
      job.imageId,
    ]);
    expect((await makeThumbnails(ctx, job)).outcome).toBe("made");
    const second = await imageRow(job.imageId);
    expect(second.thumbnails).toEqual(first.thumbnails);
    const again = await buffer((await backends.storage.get(second.thumbnails.medium!.key)).body);
    expect(again.equals(bytes)).toBe(true);
    let thumbnails = 0;
    for await (const object of backends.storage.list(`${job.objectKey}.`)) {
      expect(object.key).toMatch(/\.(small|medium|large)\.webp$/);
      thumbnails++;
    }
    expect(thumbnails).toBe(3);
  });

  it("fails an undecodable image at once, records why, and does not retry it", async () => {
    const png = await makeImage("png", { seed: 3 });
    const job = await storeOriginal(png.subarray(0, Math.floor(png.length / 3)));
    const id = await backends.producers.enqueueThumbnail(job);
    expect(
      await waitForJobState(backends.queue(QueueName.thumbnails), id, ["completed", "failed"]),
    ).toBe("failed");
    const failed = await backends.queue(QueueName.thumbnails).getJob(id);
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/cannot be decoded/);
    const row = await imageRow(job.imageId);
    expect(row.thumbnails).toEqual({});
    expect(row.thumbnail_error).toMatch(/cannot be decoded/);
  });

  it("reports queue depth, failures and job durations on /metrics", async () => {
    const text = await (await fetch(`${worker.url}/metrics`)).text();
    expect(text).toMatch(/queue_jobs\{[^}]*queue="thumbnails"[^}]*state="completed"[^}]*\} [1-9]/);
    expect(text).toMatch(/queue_jobs\{[^}]*queue="thumbnails"[^}]*state="failed"[^}]*\} 1/);
    expect(text).toMatch(
      /worker_job_duration_seconds_count\{[^}]*queue="thumbnails"[^}]*outcome="completed"/,
    );
    expect(text).toMatch(/worker_active_jobs\{[^}]*queue="thumbnails"/);
    const health = await fetch(`${worker.url}/health`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${worker.url}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get("content-type")).toBe("application/health+json");
  });
});
