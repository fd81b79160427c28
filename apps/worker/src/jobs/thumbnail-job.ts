import { buffer } from "node:stream/consumers";
import { UnrecoverableError, type Job } from "bullmq";
import { publishProductChanged, ThumbnailJob } from "@strata/queue";
import { IMMUTABLE_CACHE_CONTROL, ObjectNotFoundError, thumbnailKey } from "@strata/storage";
import type { JobContext } from "../job-context.ts";
import { renderThumbnails, UndecodableImageError } from "../thumbnails/render-thumbnails.ts";
import { THUMBNAIL_SIZES } from "../thumbnails/thumbnail-sizes.ts";

export interface ThumbnailResult {
  imageId: number;
  outcome: "made" | "already made" | "image gone";
}

// The API refuses images above UPLOAD_LIMIT_BYTES; this only guards the worker's memory
// against an object that did not come through the API.
const MAX_ORIGINAL_BYTES = 256 * 1024 * 1024;

/**
 * Makes the thumbnails of one image and records them. Idempotent: thumbnail keys and bytes
 * are derived from the original, so a second run (after a crash between the writes and the
 * UPDATE, or a duplicate job) overwrites the same objects with the same bytes and writes the
 * same row; a run that finds every size recorded does nothing.
 */
export async function makeThumbnails(ctx: JobContext, job: ThumbnailJob): Promise<ThumbnailResult> {
  const { imageId, productId, objectKey } = job;
  const { rows } = await ctx.db.query<{ object_key: string; thumbnails: Record<string, unknown> }>(
    "SELECT object_key, thumbnails FROM product_images WHERE id = $1",
    [imageId],
  );
  const row = rows[0];
  // Deleted with its product meanwhile: nothing left to do.
  if (!row) return { imageId, outcome: "image gone" };
  if (row.object_key !== objectKey) {
    throw new UnrecoverableError(`image ${imageId} holds ${row.object_key}, not ${objectKey}`);
  }
  if (Object.keys(THUMBNAIL_SIZES).every((size) => size in row.thumbnails)) {
    return { imageId, outcome: "already made" };
  }

  let input: Buffer;
  try {
    const original = await ctx.storage.get(objectKey);
    if ((original.contentLength ?? 0) > MAX_ORIGINAL_BYTES) {
      original.body.destroy();
      return await giveUp(ctx, imageId, `the original is larger than ${MAX_ORIGINAL_BYTES} bytes`);
    }
    input = await buffer(original.body);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) {
      return await giveUp(ctx, imageId, `the original ${objectKey} is missing from storage`);
    }
    throw error; // storage outage: retried with backoff
  }

  let rendered;
  try {
    rendered = await renderThumbnails(input);
  } catch (error) {
    if (error instanceof UndecodableImageError) return await giveUp(ctx, imageId, error.message);
    throw error;
  }

  const thumbnails: Record<string, { key: string; width: number; height: number }> = {};
  await Promise.all(
    rendered.thumbnails.map(async (t) => {
      const key = thumbnailKey(objectKey, t.size);
      await ctx.storage.put(key, t.body, {
        contentType: "image/webp",
        cacheControl: IMMUTABLE_CACHE_CONTROL,
      });
      thumbnails[t.size] = { key, width: t.width, height: t.height };
    }),
  );
  // Recorded only once every object exists: no row ever points at a missing thumbnail.
  await ctx.db.query(
    `UPDATE product_images
        SET thumbnails = $2::jsonb, width = $3, height = $4, thumbnail_error = NULL
      WHERE id = $1`,
    [imageId, JSON.stringify(thumbnails), rendered.width, rendered.height],
  );
  await publishProductChanged({ productIds: [productId], reason: "thumbnails" });
  return { imageId, outcome: "made" };
}

/** Records why the image has no thumbnails and fails the job without retries. */
async function giveUp(ctx: JobContext, imageId: number, reason: string): Promise<never> {
  await ctx.db.query("UPDATE product_images SET thumbnail_error = $2 WHERE id = $1", [
    imageId,
    reason,
  ]);
  throw new UnrecoverableError(reason);
}

/** The BullMQ processor of the thumbnails queue. */
export function thumbnailProcessor(ctx: JobContext) {
  return async (job: Job): Promise<ThumbnailResult> => {
    const parsed = ThumbnailJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad payload: ${parsed.error.message}`);
    return makeThumbnails(ctx, parsed.data);
  };
}
