import { once } from "node:events";
import { pipeline, type Readable } from "node:stream";
import { tempKey } from "./keys.ts";
import type { Storage } from "./s3-storage.ts";
import { UploadMeter, type UploadMeterOptions } from "./upload-meter.ts";

export interface ContentAddressedOptions<T> extends UploadMeterOptions<T> {
  /** The content type of the object, from what `inspectHead` found. */
  contentTypeOf: (inspected: T) => string;
  /** The final key for a SHA-256. */
  keyFor: (sha256: string) => string;
  /** Checks the whole stream once it has ended (size, end markers): throw to refuse it. */
  validate?: (meter: UploadMeter<T>) => void;
  cacheControl?: string;
}

export interface ContentAddressedObject<T> {
  key: string;
  sha256: string;
  byteSize: number;
  contentType: string;
  inspected: T;
}

/**
 * Streams `source` into storage under the SHA-256 of its bytes, which is only known at the
 * end: the bytes go to a temporary key while they are hashed, then are copied server-side to
 * the content key (skipped when that object exists: same key, same bytes) and the temporary
 * object is deleted. The content key therefore only ever holds a complete, validated object,
 * and it exists before any caller can record it. A refused or failed upload leaves nothing
 * behind but, at worst, a temporary object the sweep job removes.
 */
export async function storeContentAddressed<T>(
  storage: Storage,
  source: Readable,
  options: ContentAddressedOptions<T>,
): Promise<ContentAddressedObject<T>> {
  const meter = new UploadMeter<T>(options);
  let sourceError: Error | undefined;
  pipeline(source, meter, (error) => {
    if (error) sourceError = error;
  });
  // The content type must be known before the upload starts: wait for the first bytes.
  try {
    await once(meter, "inspected");
  } catch (error) {
    source.destroy();
    throw error;
  }
  const contentType = options.contentTypeOf(meter.inspected as T);
  const temporary = tempKey();
  try {
    await storage.upload(temporary, meter, {
      contentType,
      ...(options.cacheControl ? { cacheControl: options.cacheControl } : {}),
    });
    if (sourceError) throw sourceError;
    options.validate?.(meter);
  } catch (error) {
    source.destroy();
    await storage.delete(temporary).catch(() => {});
    throw error;
  }
  const key = options.keyFor(meter.sha256);
  try {
    if (!(await storage.head(key))) await storage.copy(temporary, key);
  } finally {
    await storage.delete(temporary).catch(() => {});
  }
  return {
    key,
    sha256: meter.sha256,
    byteSize: meter.bytes,
    contentType,
    inspected: meter.inspected as T,
  };
}
