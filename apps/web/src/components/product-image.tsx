import type { ProductImage } from "@strata/contracts";

/**
 * Object keys are served under /api/ (`images/<sha256>` → `/api/images/<sha256>`): content
 * addressed, so their URLs are cacheable for ever.
 */
export const imageUrl = (key: string) => `/api/${key}`;

/** The best thumbnail of `size` or larger, else the original (the worker may not be done). */
export function imageSource(image: ProductImage, size: "small" | "medium" | "large"): string {
  const order = {
    small: ["small", "medium", "large"],
    medium: ["medium", "large"],
    large: ["large"],
  }[size];
  for (const name of order) {
    const thumb = image.thumbnails[name];
    if (thumb) return imageUrl(thumb.key);
  }
  return imageUrl(image.key);
}

export function ProductPicture({
  image,
  size,
  alt,
}: {
  image: ProductImage | undefined;
  size: "small" | "medium" | "large";
  alt: string;
}) {
  if (!image) return <div className="no-image" aria-hidden="true" />;
  return <img src={imageSource(image, size)} alt={alt} loading="lazy" decoding="async" />;
}
