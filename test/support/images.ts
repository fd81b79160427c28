import sharp from "sharp";

export type ImageFormat = "jpeg" | "png" | "webp";

/**
 * A real image made on the spot (no binary fixtures): a gradient with a square, so encoders
 * cannot shrink it to nothing and thumbnails have something to show. `seed` varies the bytes.
 */
export async function makeImage(
  format: ImageFormat,
  { width = 640, height = 480, seed = 0 } = {},
): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inSquare = x > width / 4 && x < width / 2 && y > height / 4 && y < height / 2;
      pixels[i] = (x * 255) / width;
      pixels[i + 1] = inSquare ? 255 : (y * 255) / height;
      pixels[i + 2] = (seed * 37) % 256;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .toFormat(format)
    .toBuffer();
}
