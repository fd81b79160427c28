/**
 * The three thumbnail sizes (longest side, in pixels), by the name the API and the front end
 * use. Changing a size changes what a key holds, so it needs a new size name, never an edit:
 * thumbnail keys are cached as immutable.
 */
export const THUMBNAIL_SIZES = {
  small: 160,
  medium: 480,
  large: 1200,
} as const;

export type ThumbnailSize = keyof typeof THUMBNAIL_SIZES;
