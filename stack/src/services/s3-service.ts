import path from "node:path";
import { startS3 } from "@strata/local-servers";
import type { DataLayout } from "../data-layout.ts";
import type { Supervisor } from "../process/supervisor.ts";
import type { StackSettings } from "../settings.ts";
import { reach, tcpReachable } from "./external-services.ts";

export interface S3Service {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  external: boolean;
}

/** Uses S3_ENDPOINT when set; otherwise starts the private s3rver with generated keys. */
export async function provideS3(
  settings: StackSettings,
  layout: DataLayout,
  supervisor: Supervisor,
): Promise<S3Service> {
  const { s3 } = settings;
  if (s3.endpoint && s3.accessKeyId && s3.secretAccessKey) {
    const endpoint = s3.endpoint;
    await reach("S3_ENDPOINT", endpoint, () => tcpReachable(endpoint));
    return {
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      region: s3.region,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      external: true,
    };
  }
  const server = await startS3({
    dataDir: layout.s3,
    buckets: [s3.bucket],
    logFile: path.join(layout.logs, "s3rver.log"),
  });
  supervisor.add({
    name: "s3",
    role: "s3",
    address: `127.0.0.1:${server.port}`,
    logFile: server.process.logFile,
    process: server.process,
    stop: server.stop,
    stopSignal: "SIGTERM",
    stopTimeoutMs: 10_000,
  });
  return {
    endpoint: server.endpoint,
    bucket: s3.bucket,
    region: s3.region,
    ...server.credentials,
    external: false,
  };
}

/** The S3_* variables every API instance and worker receives. */
export function s3Env(s3: S3Service): Record<string, string> {
  return {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    // s3rver (and most self-hosted S3 servers) serve buckets as paths, not subdomains.
    S3_FORCE_PATH_STYLE: "true",
  };
}
