import type { Readable } from "node:stream";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type BucketLocationConstraint,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { StorageConfig } from "@strata/config";
import { ObjectNotFoundError, classifyStorageError } from "./errors.ts";

export interface ObjectInfo {
  contentType: string | undefined;
  contentLength: number | undefined;
  etag: string | undefined;
  lastModified: Date | undefined;
}

export interface StoredObject extends ObjectInfo {
  body: Readable;
}

export interface WriteOptions {
  contentType: string;
  cacheControl?: string;
  signal?: AbortSignal;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date | undefined;
}

/** The object store as strata uses it; every failure is classified (see errors.ts). */
export interface Storage {
  readonly bucket: string;
  /** Creates the bucket when it is missing; remembered once it succeeded. */
  ensureBucket(): Promise<void>;
  /**
   * Streams `body` to `key` with a multipart upload: memory stays bounded by
   * `partSize × queueSize` whatever the size of the stream, and nothing touches local disk.
   */
  upload(key: string, body: Readable, options: WriteOptions): Promise<void>;
  put(key: string, body: Buffer, options: WriteOptions): Promise<void>;
  /** Throws ObjectNotFoundError for a missing key. */
  get(key: string, options?: { signal?: AbortSignal }): Promise<StoredObject>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Server-side copy; content type and cache control travel with the object. */
  copy(from: string, to: string): Promise<void>;
  delete(key: string): Promise<void>;
  list(prefix: string): AsyncIterable<ListedObject>;
  close(): void;
}

/** S3's minimum part size; a smaller stream becomes a single PUT of one buffered part. */
const PART_SIZE = 5 * 1024 * 1024;

/** Builds the S3 client from configuration; AWS S3, MinIO, R2 and s3rver alike. */
export function createS3Client(config: StorageConfig): S3Client {
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    forcePathStyle: config.forcePathStyle,
    // Newer SDKs add CRC checksums (and aws-chunked bodies) to every upload by default; many
    // S3-compatible servers reject or mis-store those. Only send them where S3 requires them.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // A store that does not answer must fail the request, not hold it: connecting is bounded
    // tightly, a silent socket more loosely (a large part can take a while to send).
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 30_000 },
    maxAttempts: 3,
  });
}

export function createStorage(config: StorageConfig): Storage {
  const client = createS3Client(config);
  const Bucket = config.bucket;
  let bucketReady: Promise<void> | undefined;

  async function createBucketIfMissing(): Promise<void> {
    try {
      await client.send(new HeadBucketCommand({ Bucket }));
      return;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
        ?.httpStatusCode;
      if (status !== 404) throw classifyStorageError(error);
    }
    try {
      await client.send(
        new CreateBucketCommand({
          Bucket,
          // us-east-1 is the one region that refuses an explicit location constraint.
          ...(config.endpoint === undefined && config.region !== "us-east-1"
            ? {
                CreateBucketConfiguration: {
                  LocationConstraint: config.region as BucketLocationConstraint,
                },
              }
            : {}),
        }),
      );
    } catch (error) {
      // Another instance created it first.
      const name = (error as Error).name;
      if (name === "BucketAlreadyOwnedByYou" || name === "BucketAlreadyExists") return;
      throw classifyStorageError(error);
    }
  }

  const ensureBucket = (): Promise<void> => {
    bucketReady ??= createBucketIfMissing().catch((error: unknown) => {
      bucketReady = undefined; // try again next time
      throw error;
    });
    return bucketReady;
  };

  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw classifyStorageError(error);
    }
  };

  const isNotFound = (error: unknown) => {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
  };

  return {
    bucket: Bucket,
    ensureBucket,

    async upload(key, body, { contentType, cacheControl, signal }) {
      await ensureBucket();
      const abortController = new AbortController();
      const onAbort = () => abortController.abort();
      signal?.addEventListener("abort", onAbort, { once: true });
      const upload = new Upload({
        client,
        params: {
          Bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ...(cacheControl ? { CacheControl: cacheControl } : {}),
        },
        partSize: PART_SIZE,
        queueSize: 2,
        // Failed multipart uploads are aborted, so no orphaned parts are billed or kept.
        leavePartsOnError: false,
        abortController,
      });
      try {
        await upload.done();
      } catch (error) {
        // The source stream's own error (too large, wrong type) is the real reason.
        if (body.errored) throw body.errored;
        throw classifyStorageError(error);
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
    },

    async put(key, body, { contentType, cacheControl, signal }) {
      await ensureBucket();
      await wrap(() =>
        client.send(
          new PutObjectCommand({
            Bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            ContentLength: body.length,
            ...(cacheControl ? { CacheControl: cacheControl } : {}),
          }),
          signal ? { abortSignal: signal } : {},
        ),
      );
    },

    async get(key, options = {}) {
      try {
        const reply = await client.send(
          new GetObjectCommand({ Bucket, Key: key }),
          options.signal ? { abortSignal: options.signal } : {},
        );
        return {
          body: reply.Body as Readable,
          contentType: reply.ContentType,
          contentLength: reply.ContentLength,
          etag: reply.ETag,
          lastModified: reply.LastModified,
        };
      } catch (error) {
        if (isNotFound(error)) throw new ObjectNotFoundError(key);
        throw classifyStorageError(error);
      }
    },

    async head(key) {
      try {
        const reply = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return {
          contentType: reply.ContentType,
          contentLength: reply.ContentLength,
          etag: reply.ETag,
          lastModified: reply.LastModified,
        };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw classifyStorageError(error);
      }
    },

    async copy(from, to) {
      await ensureBucket();
      await wrap(() =>
        client.send(
          new CopyObjectCommand({
            Bucket,
            Key: to,
            CopySource: `${Bucket}/${from.split("/").map(encodeURIComponent).join("/")}`,
          }),
        ),
      );
    },

    async delete(key) {
      await wrap(() => client.send(new DeleteObjectCommand({ Bucket, Key: key })));
    },

    async *list(prefix) {
      let token: string | undefined;
      do {
        const page = await wrap(() =>
          client.send(
            new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token }),
          ),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key)
            yield { key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },

    close: () => client.destroy(),
  };
}
