import crypto from "node:crypto";
import { Readable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMMUTABLE_CACHE_CONTROL, imageKey } from "@strata/storage";
import { makeImage } from "../../../test/support/images.ts";
import type { JobContext } from "../src/job-context.ts";
import { maintenanceProcessor } from "../src/jobs/maintenance-job.ts";
import {
  createCategory,
  createProduct,
  startWorkerBackends,
  type WorkerBackends,
} from "./support/worker-backends.ts";

let backends: WorkerBackends;
let ctx: JobContext;

beforeAll(async () => {
  backends = await startWorkerBackends();
  ctx = {
    db: backends.db,
    storage: backends.storage,
    log: pino({ level: "silent" }),
    importBatchSize: 100,
  };
});

afterAll(async () => {
  await backends?.stop();
});

describe("maintenance job", () => {
  it("makes the thumbnails of images whose job was never enqueued", async () => {
    const productId = await createProduct(backends.db, await createCategory(backends.db, "sofas"));
    const bytes = await makeImage("png", { seed: 99 });
    const key = imageKey(crypto.createHash("sha256").update(bytes).digest("hex"));
    await backends.storage.put(key, bytes, {
      contentType: "image/png",
      cacheControl: IMMUTABLE_CACHE_CONTROL,
    });
    // As if the upload's enqueue had failed: a row, no job, no thumbnails.
    const { rows } = await backends.db.query<{ id: string }>(
      `INSERT INTO product_images (product_id, object_key, content_type, byte_size, created_at)
       VALUES ($1, $2, 'image/png', $3, now() - interval '10 minutes') RETURNING id`,
      [productId, key, bytes.length],
    );
    const recent = await backends.db.query<{ id: string }>(
      `INSERT INTO product_images (product_id, object_key, content_type, byte_size)
       VALUES ($1, $2, 'image/png', $3) RETURNING id`,
      [productId, `${imageKey("a".repeat(64))}`, 1],
    );

    const result = await maintenanceProcessor(ctx)();
    expect(result).toMatchObject({ thumbnailsMade: 1, thumbnailsFailed: 0 });
    const made = await backends.db.query<{ id: string; thumbnails: Record<string, unknown> }>(
      "SELECT id, thumbnails FROM product_images WHERE id = ANY($1)",
      [[rows[0]!.id, recent.rows[0]!.id]],
    );
    const byId = new Map(made.rows.map((r) => [r.id, r.thumbnails]));
    expect(Object.keys(byId.get(rows[0]!.id)!).sort()).toEqual(["large", "medium", "small"]);
    // A fresh upload still has its own job coming: left alone.
    expect(byId.get(recent.rows[0]!.id)).toEqual({});
  });

  it("deletes temporary upload objects left behind, and only old ones", async () => {
    await backends.storage.upload(
      "tmp/2020-01-01/left-by-a-crash",
      Readable.from([Buffer.from("x")]),
      {
        contentType: "application/octet-stream",
      },
    );
    // Every temporary object is "old" with a zero age limit; none is with the default hour.
    expect((await maintenanceProcessor(ctx)()).temporariesDeleted).toBe(0);
    const result = await maintenanceProcessor(ctx, { pendingAfterMs: 120_000, tempMaxAgeMs: -1 })();
    expect(result.temporariesDeleted).toBe(1);
    expect(await backends.storage.head("tmp/2020-01-01/left-by-a-crash")).toBeUndefined();
  });
});
