import { once } from "node:events";
import { pipeline, type Readable } from "node:stream";
import { tempKey } from "./keys.ts";
import type { Storage } from "./s3-storage.ts";
import { UploadMeter, type UploadMeterOptions } from "./upload-meter.ts";

export interface MeteredOptions<T> extends UploadMeterOptions<T> {
  /** The content type of the object, from what `inspectHead` found. */
  contentTypeOf: (inspected: T) => string;
  /** Checks the whole stream once it has ended (size, end markers): throw to refuse it. */
  validate?: (meter: UploadMeter<T>) => void;
  cacheControl?: string;
}

export interface ContentAddressedOptions<T> extends MeteredOptions<T> {
  /** The final key for a SHA-256. */
  keyFor: (sha256: string) => string;
}

export interface StoredUpload<T> {
  key: string;
  sha256: string;
  byteSize: number;
  contentType: string;
  inspected: T;
}

export type ContentAddressedObject<T> = StoredUpload<T>;

/**
 * Streams `source` to `key` through an UploadMeter: its first bytes are inspected before the
 * upload starts (the content type must be known by then), the limit is enforced as it flows,
 * and `validate` runs once it has ended. A refused or failed stream leaves no object at `key`.
 */
export async function storeMetered<T>(
  storage: Storage,
  key: string,
  source: Readable,
  options: MeteredOptions<T>,
): Promise<StoredUpload<T>> {
  const meter = new UploadMeter<T>(options);
  let sourceError: Error | undefined;
  pipeline(source, meter, (error) => {
    if (error) sourceError = error;
  });
  try {
    await once(meter, "inspected");
  } catch (error) {
    source.destroy();
    throw error;
  }
  const contentType = options.contentTypeOf(meter.inspected as T);
  try {
    await storage.upload(key, meter, {
      contentType,
      ...(options.cacheControl ? { cacheControl: options.cacheControl } : {}),
    });
    if (sourceError) throw sourceError;
    options.validate?.(meter);
  } catch (error) {
    source.destroy();
    await storage.delete(key).catch(() => {});
    throw error;
  }
  return {
    key,
    sha256: meter.sha256,
    byteSize: meter.bytes,
    contentType,
    inspected: meter.inspected as T,
  };
}

/**
 * Streams `source` into storage under the SHA-256 of its bytes, which is only known at the
 * end: the bytes go to a temporary key while they are hashed, then are copied server-side to
 * the content key (skipped when that object exists: same key, same bytes) and the temporary
 * object is deleted. The content key therefore only ever holds a complete, validated object,
 * and it exists before any caller can record it. A refused or failed upload leaves nothing
 * behind but, at worst, a temporary object the maintenance job removes.
 */
export async function storeContentAddressed<T>(
  storage: Storage,
  source: Readable,
  options: ContentAddressedOptions<T>,
): Promise<ContentAddressedObject<T>> {
  const temporary = await storeMetered(storage, tempKey(), source, options);
  const key = options.keyFor(temporary.sha256);
  try {
    if (!(await storage.head(key))) await storage.copy(temporary.key, key);
  } finally {
    await storage.delete(temporary.key).catch(() => {});
  }
  return { ...temporary, key };
}
