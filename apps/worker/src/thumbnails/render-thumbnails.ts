import sharp from "sharp";
import { THUMBNAIL_SIZES, type ThumbnailSize } from "./thumbnail-sizes.ts";

/** The image cannot be decoded: retrying will not help. */
export class UndecodableImageError extends Error {
  constructor(cause: unknown) {
    super(`the image cannot be decoded: ${(cause as Error).message}`, { cause });
    this.name = "UndecodableImageError";
  }
}

export interface RenderedThumbnail {
  size: ThumbnailSize;
  body: Buffer;
  width: number;
  height: number;
}

export interface RenderedImage {
  width: number;
  height: number;
  thumbnails: RenderedThumbnail[];
}

// Far above any photo a shop uses, far below what would exhaust the worker's memory: a small
// file that declares 100000 × 100000 pixels (a decompression bomb) is refused, not decoded.
const MAX_INPUT_PIXELS = 100_000_000;

/**
 * Decodes `input` and renders every size as WebP, turned upright by its EXIF orientation and
 * never enlarged. Deterministic for one sharp version: rendering again gives the same bytes,
 * which is what makes the thumbnail job idempotent.
 */
export async function renderThumbnails(input: Buffer): Promise<RenderedImage> {
  // "warning" makes a truncated JPEG ("premature end of input") an error, not a grey band.
  const options = { failOn: "warning", limitInputPixels: MAX_INPUT_PIXELS } as const;
  let width: number;
  let height: number;
  try {
    const meta = await sharp(input, options).metadata();
    if (!meta.width || !meta.height) throw new Error("no dimensions");
    // Orientations 5-8 swap the sides once the image is turned upright.
    const swapped = (meta.orientation ?? 1) >= 5;
    width = swapped ? meta.height : meta.width;
    height = swapped ? meta.width : meta.height;
  } catch (error) {
    throw new UndecodableImageError(error);
  }
  const thumbnails = await Promise.all(
    (Object.entries(THUMBNAIL_SIZES) as [ThumbnailSize, number][]).map(async ([size, side]) => {
      try {
        const { data, info } = await sharp(input, options)
          .rotate()
          .resize({ width: side, height: side, fit: "inside", withoutEnlargement: true })
          .webp({ quality: 80 })
          .toBuffer({ resolveWithObject: true });
        return { size, body: data, width: info.width, height: info.height };
      } catch (error) {
        throw new UndecodableImageError(error);
      }
    }),
  );
  return { width, height, thumbnails };
}
