import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startProcess, tail, type ManagedProcess } from "./child.ts";
import { freePort, isListening, waitFor } from "./ports.ts";

export interface S3Options {
  /** Folder that holds the objects and the generated credentials. */
  dataDir: string;
  port?: number;
  /** Buckets created at start (existing ones are kept). */
  buckets: string[];
  /** Log file; defaults to `<dataDir>/s3rver.log`. */
  logFile?: string;
}

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface S3Server {
  /** Path-style endpoint, e.g. http://127.0.0.1:40123 */
  endpoint: string;
  port: number;
  credentials: S3Credentials;
  process: ManagedProcess;
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL("./s3rver-main.ts", import.meta.url));
// The child runs the TypeScript entry from source through tsx's loader, as one process.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/**
 * Credentials are generated once per data folder and kept (mode 0600), so objects written
 * under them stay readable after a restart; no well-known default key is ever accepted.
 */
export function s3Credentials(dataDir: string): S3Credentials {
  const file = path.join(dataDir, "credentials.json");
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as S3Credentials;
  const credentials = {
    accessKeyId: `strata-${crypto.randomBytes(6).toString("hex")}`,
    secretAccessKey: crypto.randomBytes(24).toString("base64url"),
  };
  fs.writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

/** Starts a private S3-compatible server (s3rver) on 127.0.0.1 as a child process. */
export async function startS3(options: S3Options): Promise<S3Server> {
  const dataDir = path.resolve(options.dataDir);
  const objects = path.join(dataDir, "objects");
  fs.mkdirSync(objects, { recursive: true });
  const credentials = s3Credentials(dataDir);
  const port = options.port ?? (await freePort());
  const logFile = options.logFile ?? path.join(dataDir, "s3rver.log");
  // The data folder is named on the command line so `ps` shows which stack a server belongs to.
  const child = startProcess(
    "s3rver",
    process.execPath,
    ["--import", TSX, MAIN, "--strata-data-dir", dataDir],
    logFile,
    {
      env: {
        ...process.env,
        S3RVER_ADDRESS: "127.0.0.1",
        S3RVER_PORT: String(port),
        S3RVER_DIRECTORY: objects,
        S3RVER_BUCKETS: options.buckets.join(","),
        S3RVER_ACCESS_KEY_ID: credentials.accessKeyId,
        S3RVER_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        S3RVER_SILENT: "true",
      },
    },
  );
  try {
    await waitFor("s3rver to listen", async () => {
      if (child.child.exitCode !== null) throw new Error("exited");
      return isListening(port);
    });
  } catch (error) {
    await child.stop("SIGKILL");
    throw new Error(`s3rver did not start: ${(error as Error).message}\n${tail(logFile)}`, {
      cause: error,
    });
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    credentials,
    process: child,
    stop: () => child.stop("SIGTERM", 10_000),
  };
}
