import { TEMP_PREFIX } from "@strata/storage";
import type { JobContext } from "../job-context.ts";
import { makeThumbnails } from "./thumbnail-job.ts";

export interface MaintenanceResult {
  thumbnailsMade: number;
  thumbnailsFailed: number;
  temporariesDeleted: number;
}

export interface MaintenanceOptions {
  /** An image this old without thumbnails was never enqueued (or its job was lost). */
  pendingAfterMs: number;
  /** Longer than any upload takes, so no upload in progress loses its temporary object. */
  tempMaxAgeMs: number;
}

export const MAINTENANCE_DEFAULTS: MaintenanceOptions = {
  pendingAfterMs: 2 * 60 * 1000,
  tempMaxAgeMs: 60 * 60 * 1000,
};

const THUMBNAILS_PER_RUN = 20;
const TEMP_DELETES_PER_RUN = 1_000;

/**
 * The recurring housekeeping job (every minute, registered once by the job scheduler):
 *
 * - images still without thumbnails after a while get them here. The API enqueues a job per
 *   upload, but an enqueue can fail after the row is committed (Redis away for a moment);
 *   this sweep is what makes every image end up with thumbnails anyway;
 * - temporary upload objects older than an hour are deleted: an instance killed mid-upload
 *   leaves one behind (a completed upload always deletes its own).
 */
export function maintenanceProcessor(
  ctx: JobContext,
  options: MaintenanceOptions = MAINTENANCE_DEFAULTS,
) {
  return async (): Promise<MaintenanceResult> => {
    const result: MaintenanceResult = {
      thumbnailsMade: 0,
      thumbnailsFailed: 0,
      temporariesDeleted: 0,
    };
    const { rows } = await ctx.db.query<{ id: string; product_id: string; object_key: string }>(
      `SELECT id, product_id, object_key FROM product_images
        WHERE thumbnails = '{}'::jsonb AND thumbnail_error IS NULL
          AND created_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY created_at LIMIT ${THUMBNAILS_PER_RUN}`,
      [options.pendingAfterMs],
    );
    for (const row of rows) {
      try {
        await makeThumbnails(ctx, {
          imageId: Number(row.id),
          productId: Number(row.product_id),
          objectKey: row.object_key,
        });
        result.thumbnailsMade++;
      } catch (error) {
        result.thumbnailsFailed++;
        ctx.log.warn(
          { err: (error as Error).message, imageId: row.id },
          "backfill thumbnail failed",
        );
      }
    }

    const cutoff = Date.now() - options.tempMaxAgeMs;
    for await (const object of ctx.storage.list(TEMP_PREFIX)) {
      if (result.temporariesDeleted >= TEMP_DELETES_PER_RUN) break;
      if (object.lastModified && object.lastModified.getTime() < cutoff) {
        await ctx.storage.delete(object.key);
        result.temporariesDeleted++;
      }
    }
    return result;
  };
}
