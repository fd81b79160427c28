import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startS3, type S3Server } from "@strata/local-servers";
import type { StorageConfig } from "@strata/config";

export interface TestS3 {
  endpoint: string;
  port: number;
  /** The S3_* variables for a process using this server. */
  env: Record<string, string>;
  /** The same as a StorageConfig, for code under test that takes one. */
  config: StorageConfig;
  /** Stops the server, keeping its data (for outage tests). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  restart(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

// s3rver-main wants at least one bucket to configure; it is not the one the tests use.
const UNUSED_BUCKET = ["strata-unused"];

/**
 * A private S3-compatible server (s3rver) for one test file. The bucket under test does not
 * exist at first: the code under test must create it, as against a fresh account.
 */
export async function startTestS3(bucket = "strata-test"): Promise<TestS3> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-test-s3-"));
  let server: S3Server | undefined = await startS3({ dataDir, buckets: UNUSED_BUCKET });
  const { port, endpoint, credentials } = server;
  return {
    endpoint,
    port,
    env: {
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      S3_FORCE_PATH_STYLE: "true",
    },
    config: {
      endpoint,
      region: "us-east-1",
      bucket,
      credentials,
      forcePathStyle: true,
    },
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async restart() {
      server ??= await startS3({ dataDir, port, buckets: UNUSED_BUCKET });
    },
    async destroy() {
      await server?.stop();
      server = undefined;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
