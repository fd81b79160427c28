import { z } from "zod";

/** Make the thumbnails of one uploaded image (product_images row). */
export const ThumbnailJob = z.strictObject({
  imageId: z.number().int().positive(),
  productId: z.number().int().positive(),
  /** The original's object key, `images/<sha256>`. */
  objectKey: z.string().regex(/^images\/[0-9a-f]{64}$/),
});

export type ThumbnailJob = z.infer<typeof ThumbnailJob>;

export const THUMBNAIL_JOB = "make-thumbnails";

/** One job per image: enqueueing twice (a retried request) adds nothing. */
export const thumbnailJobId = (imageId: number) => `thumbnail-${imageId}`;
