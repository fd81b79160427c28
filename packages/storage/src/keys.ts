import crypto from "node:crypto";

/**
 * Object keys. Images are content-addressed (`images/<sha256 of the bytes>`), so a key never
 * changes meaning and can be cached forever; a thumbnail's key derives from its original's and
 * its size name, so re-making it overwrites the same object with the same bytes.
 */
export const IMAGE_PREFIX = "images/";
export const TEMP_PREFIX = "tmp/";
export const IMPORT_PREFIX = "imports/";

const SHA256 = /^[0-9a-f]{64}$/;

export function imageKey(sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
  return `${IMAGE_PREFIX}${sha256}`;
}

export function thumbnailKey(originalKey: string, size: string): string {
  if (!/^[a-z]+$/.test(size)) throw new Error(`bad thumbnail size name ${size}`);
  return `${originalKey}.${size}.webp`;
}

/** Where an upload lands while its hash is not yet known. */
export function tempKey(): string {
  return `${TEMP_PREFIX}${new Date().toISOString().slice(0, 10)}/${crypto.randomUUID()}`;
}

export function importKey(importId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(importId)) throw new Error(`bad import id ${importId}`);
  return `${IMPORT_PREFIX}${importId}.csv`;
}

/** `images/<sha>` or `images/<sha>.<size>.webp`: the only keys served publicly. */
export const PUBLIC_IMAGE_KEY = /^images\/[0-9a-f]{64}(\.[a-z]+\.webp)?$/;
