import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startProcess, tail, type ManagedProcess } from "./child.ts";
import { freePort, waitFor } from "./ports.ts";
import { ensureDebianPackage } from "./system-packages.ts";
import { allowTraversal } from "./traversal.ts";

export interface PostgresOptions {
  /** Folder that holds the cluster; created (initdb) when empty. */
  dataDir: string;
  port?: number;
  database?: string;
  maxConnections?: number;
  /** Trade durability for speed: for throw-away test clusters only. */
  ephemeral?: boolean;
}

export interface PostgresServer {
  url: string;
  /** URL of the maintenance database, for CREATE DATABASE. */
  adminUrl: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

const USER = "strata";

/** Locates the server programs of the newest PostgreSQL installed from Debian's packages. */
export function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const find = () =>
    fs.existsSync(root)
      ? fs
          .readdirSync(root)
          .filter((v) => fs.existsSync(path.join(root, v, "bin", "postgres")))
          .sort((a, b) => Number(b) - Number(a))
      : [];
  if (find().length === 0) ensureDebianPackage("postgresql", "/usr/lib/postgresql");
  const versions = find();
  if (versions.length === 0)
    throw new Error("no PostgreSQL server found under /usr/lib/postgresql");
  return path.join(root, versions[0]!, "bin");
}

/**
 * PostgreSQL refuses to run as root, so as root we run it as the `postgres` system user
 * that Debian's package creates.
 */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { uid, gid };
}

function runChecked(command: string, args: string[], owner?: { uid: number; gid: number }) {
  try {
    execFileSync(command, args, { stdio: "pipe", ...(owner ?? {}), cwd: os.tmpdir() });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(
      `${path.basename(command)} failed: ${stderr.trim() || (error as Error).message}`,
      { cause: error },
    );
  }
}

/** Starts (initialising when needed) a private PostgreSQL server on 127.0.0.1. */
export async function startPostgres(options: PostgresOptions): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const owner = runAs();
  const dataDir = path.resolve(options.dataDir);
  const pgData = path.join(dataDir, "pgdata");
  const passwordFile = path.join(dataDir, "password");
  fs.mkdirSync(dataDir, { recursive: true });
  if (owner) {
    fs.chownSync(dataDir, owner.uid, owner.gid);
    allowTraversal(path.dirname(dataDir));
  }

  if (!fs.existsSync(path.join(pgData, "PG_VERSION"))) {
    fs.rmSync(pgData, { recursive: true, force: true });
    fs.writeFileSync(passwordFile, crypto.randomBytes(18).toString("base64url"), { mode: 0o600 });
    if (owner) fs.chownSync(passwordFile, owner.uid, owner.gid);
    runChecked(
      path.join(bin, "initdb"),
      [
        "-D",
        pgData,
        "-U",
        USER,
        "--pwfile",
        passwordFile,
        "--auth",
        "scram-sha-256",
        "--encoding",
        "UTF8",
        "--locale",
        "C",
      ],
      owner,
    );
  }
  const password = fs.readFileSync(passwordFile, "utf8").trim();
  const port = options.port ?? (await freePort());
  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    port: String(port),
    unix_socket_directories: "",
    max_connections: String(options.maxConnections ?? 200),
    shared_buffers: "256MB",
    log_min_messages: "warning",
  };
  if (options.ephemeral) {
    Object.assign(settings, { fsync: "off", synchronous_commit: "off", full_page_writes: "off" });
  }
  const args = ["-D", pgData, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
  const logFile = path.join(dataDir, "postgres.log");
  if (owner && fs.existsSync(logFile)) fs.chownSync(logFile, owner.uid, owner.gid);
  const child = startProcess("postgres", path.join(bin, "postgres"), args, logFile, {
    ...(owner ?? {}),
    cwd: os.tmpdir(),
  });

  const database = options.database ?? "strata";
  const base = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const adminUrl = `${base}/postgres`;
  try {
    await waitFor(
      "PostgreSQL to accept connections",
      async () => {
        if (child.child.exitCode !== null) throw new Error("exited");
        const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
        try {
          await client.connect();
          const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [
            database,
          ]);
          if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
          return true;
        } finally {
          await client.end().catch(() => {});
        }
      },
      60_000,
    );
  } catch (error) {
    await child.stop("SIGKILL");
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${tail(logFile)}`, {
      cause: error,
    });
  }
  return {
    url: `${base}/${database}`,
    adminUrl,
    port,
    process: child,
    // SIGINT is PostgreSQL's "fast" shutdown: roll back sessions, checkpoint, exit.
    stop: () => child.stop("SIGINT", 30_000),
  };
}
