import type { z } from "zod";
import type { storageVars } from "./variables.ts";

/** Where objects live: any S3-compatible service (AWS S3, MinIO, R2, s3rver). */
export interface StorageConfig {
  /** Unset: AWS S3's own endpoint for `region`. */
  endpoint: string | undefined;
  region: string;
  bucket: string;
  /** Unset: the SDK's default credential chain (AWS_* variables, instance or pod role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle: boolean;
}

type StorageValues = z.infer<z.ZodObject<typeof storageVars>>;

/** Cross-variable rules of the S3_* group; pushed into `problems` with the rest. */
export function checkStorageValues(v: StorageValues, problems: string[]): void {
  if ((v.S3_ACCESS_KEY_ID === undefined) !== (v.S3_SECRET_ACCESS_KEY === undefined)) {
    problems.push("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together");
  }
}

export function toStorageConfig(v: StorageValues): StorageConfig {
  return {
    endpoint: v.S3_ENDPOINT,
    region: v.S3_REGION,
    bucket: v.S3_BUCKET,
    credentials:
      v.S3_ACCESS_KEY_ID && v.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: v.S3_ACCESS_KEY_ID, secretAccessKey: v.S3_SECRET_ACCESS_KEY }
        : undefined,
    // Self-hosted servers rarely have wildcard DNS for bucket subdomains; AWS prefers them.
    forcePathStyle: v.S3_FORCE_PATH_STYLE ?? v.S3_ENDPOINT !== undefined,
  };
}
