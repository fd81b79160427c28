import type { Readable } from "node:stream";
import type { FastifyBaseLogger } from "fastify";
import type { UploadedImage } from "@strata/contracts";
import type { Database } from "@strata/db";
import type { Producers } from "@strata/queue";
import {
  IMMUTABLE_CACHE_CONTROL,
  imageKey,
  storeContentAddressed,
  type ContentAddressedObject,
  type Storage,
} from "@strata/storage";
import { problems } from "../../http/problem.ts";
import type { WriteInvalidation } from "../catalogue/product-service.ts";
import { productTags } from "../catalogue/product-cache-keys.ts";
import {
  checkImageComplete,
  detectImageType,
  IMAGE_HEAD_BYTES,
  IMAGE_TAIL_BYTES,
  type ImageType,
} from "../../uploads/image-type.ts";

interface ImageRow {
  id: string;
  object_key: string;
  content_type: string;
  byte_size: number;
  width: number | null;
  height: number | null;
  thumbnails: UploadedImage["thumbnails"];
}

/** An image's bytes in storage, before any row names them. */
export type StoredImage = ContentAddressedObject<ImageType>;

/** The result of an upload: `created` is false when the product already had these bytes. */
export interface UploadResult {
  image: UploadedImage;
  created: boolean;
}

const ENQUEUE_TIMEOUT_MS = 1_000;

/**
 * Product image uploads: stream to storage under the bytes' SHA-256, then record the row,
 * then ask for thumbnails. The order is what keeps every reader safe: the object exists
 * before any row names it, and the row exists before any job refers to it.
 */
export class ImageUploadService {
  constructor(
    private readonly deps: {
      db: Database;
      storage: Storage;
      queues: Producers;
      invalidation: WriteInvalidation;
      log: FastifyBaseLogger;
      limitBytes: number;
    },
  ) {}

  async assertProductExists(productId: number): Promise<void> {
    const { rows } = await this.deps.db.query("SELECT 1 FROM products WHERE id = $1", [productId]);
    if (rows.length === 0) throw problems.notFound(`no product ${productId}`);
  }

  /**
   * Streams the file to storage under its bytes' SHA-256; nothing names it yet. A stored
   * object that is never recorded (the request was then refused) stays: the same bytes may
   * be another product's image, so it is never deleted here.
   */
  store(file: Readable): Promise<StoredImage> {
    const { storage, limitBytes } = this.deps;
    return storeContentAddressed<ImageType>(storage, file, {
      limitBytes,
      headBytes: IMAGE_HEAD_BYTES,
      tailBytes: IMAGE_TAIL_BYTES,
      inspectHead: detectImageType,
      contentTypeOf: (type) => type,
      validate: (meter) =>
        checkImageComplete(meter.inspected!, meter.head, meter.tail, meter.bytes),
      keyFor: imageKey,
      cacheControl: IMMUTABLE_CACHE_CONTROL,
    });
  }

  /** Records a stored image as the product's (once per bytes), then asks for thumbnails. */
  async record(productId: number, stored: StoredImage): Promise<UploadResult> {
    const { db, invalidation } = this.deps;
    const tags = productTags.write(productId);
    await invalidation.beforeWrite(tags);
    let row: ImageRow | undefined;
    let created: boolean;
    try {
      const inserted = await db.query<ImageRow>(
        `INSERT INTO product_images (product_id, object_key, content_type, byte_size, position)
         SELECT $1, $2, $3, $4, COALESCE(max(position) + 1, 0)
           FROM product_images WHERE product_id = $1
         ON CONFLICT (product_id, object_key) DO NOTHING
         RETURNING id, object_key, content_type, byte_size, width, height, thumbnails`,
        [productId, stored.key, stored.contentType, stored.byteSize],
      );
      row = inserted.rows[0];
      created = row !== undefined;
      if (!row) {
        // The same bytes were uploaded for this product before: that image, unchanged.
        const existing = await db.query<ImageRow>(
          `SELECT id, object_key, content_type, byte_size, width, height, thumbnails
             FROM product_images WHERE product_id = $1 AND object_key = $2`,
          [productId, stored.key],
        );
        row = existing.rows[0];
      }
    } catch (error) {
      // Deleted while its image was uploading.
      if ((error as { code?: string }).code === "23503") {
        throw problems.notFound(`no product ${productId}`);
      }
      throw error;
    }
    if (!row) throw problems.conflict("the image was removed while it was being uploaded");
    if (created) await invalidation.afterWrite(tags);

    const image = toUploadedImage(productId, row);
    if (Object.keys(image.thumbnails).length === 0) await this.#enqueueThumbnails(image);
    return { image, created };
  }

  /**
   * Best effort: the row is committed whatever happens here. Should the queue be unreachable,
   * the worker's maintenance sweep finds the image without thumbnails and makes them.
   */
  async #enqueueThumbnails(image: UploadedImage): Promise<void> {
    const enqueue = this.deps.queues.enqueueThumbnail({
      imageId: image.id,
      productId: image.productId,
      objectKey: image.key,
    });
    enqueue.catch(() => {});
    const timeout = new Promise<"timeout">((r) =>
      setTimeout(() => r("timeout"), ENQUEUE_TIMEOUT_MS).unref(),
    );
    try {
      if ((await Promise.race([enqueue, timeout])) === "timeout") throw new Error("timed out");
    } catch (error) {
      this.deps.log.warn(
        { err: (error as Error).message, imageId: image.id },
        "thumbnail job not enqueued; the maintenance sweep will make them",
      );
    }
  }
}

/** `images/<sha>` is served at `/api/images/<sha>`. */
export const imageUrl = (key: string) => `/api/${key}`;

function toUploadedImage(productId: number, row: ImageRow): UploadedImage {
  return {
    id: Number(row.id),
    productId,
    key: row.object_key,
    url: imageUrl(row.object_key),
    contentType: row.content_type,
    byteSize: row.byte_size,
    width: row.width,
    height: row.height,
    thumbnails: row.thumbnails,
  };
}
