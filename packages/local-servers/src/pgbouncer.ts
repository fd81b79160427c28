import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startProcess, tail, type ManagedProcess } from "./child.ts";
import { freePort, isListening, waitFor } from "./ports.ts";
import { ensureDebianPackage } from "./system-packages.ts";

export const PGBOUNCER_BINARY = "/usr/sbin/pgbouncer";

export interface PgBouncerOptions {
  /** Folder for pgbouncer.ini, the auth file and the log. */
  dataDir: string;
  /**
   * The PostgreSQL server behind it, as a URL with the user and password PgBouncer accepts
   * from clients and logs in with (SCRAM on both sides; the auth file holds the password).
   */
  upstreamUrl: string;
  port?: number;
  /** Server connections per database/user pair (PgBouncer's default_pool_size). */
  defaultPoolSize?: number;
  /** Extra server connections a pair may open when clients wait longer than 1 s. */
  reservePoolSize?: number;
  /** Server connections per database, all users together; 0 is unlimited. */
  maxDbConnections?: number;
  /** Client connections PgBouncer accepts in all. */
  maxClientConn?: number;
  /**
   * The statement timeout of every server connection (run as PgBouncer's connect_query).
   * Clients behind PgBouncer cannot send it as a startup parameter: PgBouncer refuses it.
   */
  statementTimeoutMs?: number;
}

export interface PgBouncerServer {
  port: number;
  /** The upstream URL with PgBouncer's address and the `pgbouncer=true` flag strata reads. */
  url(database?: string): string;
  /** PgBouncer's admin console (SHOW POOLS, SHOW STATS ...), as the same user. */
  adminUrl: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * The pgbouncer.ini of a private PgBouncer in transaction mode: every database name is
 * forwarded to the same server (the `*` fallback), so test databases made on the fly work.
 */
export function renderPgBouncerIni(o: {
  listenPort: number;
  upstreamHost: string;
  upstreamPort: number;
  user: string;
  authFile: string;
  defaultPoolSize: number;
  reservePoolSize: number;
  maxDbConnections: number;
  maxClientConn: number;
  statementTimeoutMs: number;
}): string {
  return `${[
    "; Written by packages/local-servers/src/pgbouncer.ts; deploy/pgbouncer/ has the container's.",
    "[databases]",
    `* = host=${o.upstreamHost} port=${o.upstreamPort} connect_query='SET statement_timeout = ${o.statementTimeoutMs}'`,
    "",
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${o.listenPort}`,
    // No Unix socket: two private servers on one machine must not fight over /tmp/.s.PGSQL.*.
    "unix_socket_dir =",
    "auth_type = scram-sha-256",
    `auth_file = ${o.authFile}`,
    `admin_users = ${o.user}`,
    `stats_users = ${o.user}`,
    // A server connection goes back to the pool at COMMIT/ROLLBACK: session state is not kept.
    "pool_mode = transaction",
    `default_pool_size = ${o.defaultPoolSize}`,
    `reserve_pool_size = ${o.reservePoolSize}`,
    "reserve_pool_timeout = 1",
    `max_db_connections = ${o.maxDbConnections}`,
    `max_client_conn = ${o.maxClientConn}`,
    // Servers are checked before reuse after 30 s idle, as the application pool does.
    "server_check_delay = 30",
    "server_lifetime = 3600",
    "server_idle_timeout = 600",
    // A client stuck waiting for a server gets an error instead of hanging forever.
    "query_wait_timeout = 30",
    // SHOW STATS totals refresh this often (60 s by default): short-lived test runs read them.
    "stats_period = 5",
    "log_connections = 0",
    "log_disconnections = 0",
    "",
  ].join("\n")}`;
}

/**
 * PgBouncer refuses to run as root; as root it is started with `-u postgres` (the system user
 * Debian's PostgreSQL package creates), which must be able to read its files.
 */
function dropToPostgres(files: string[]): string[] {
  if (process.getuid?.() !== 0) return [];
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  for (const file of files) fs.chownSync(file, uid, gid);
  return ["-u", "postgres"];
}

/** Starts a private PgBouncer (Debian's package) in transaction mode in front of `upstreamUrl`. */
export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncerServer> {
  ensureDebianPackage("pgbouncer", PGBOUNCER_BINARY);
  const upstream = new URL(options.upstreamUrl);
  const user = decodeURIComponent(upstream.username);
  const password = decodeURIComponent(upstream.password);
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const authFile = path.join(dataDir, "userlist.txt");
  const iniFile = path.join(dataDir, "pgbouncer.ini");
  // A plain password lets PgBouncer answer the client's SCRAM and run its own to the server.
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  fs.writeFileSync(authFile, `${quote(user)} ${quote(password)}\n`, { mode: 0o600 });
  fs.writeFileSync(
    iniFile,
    renderPgBouncerIni({
      listenPort: port,
      upstreamHost: upstream.hostname,
      upstreamPort: Number(upstream.port || 5432),
      user,
      authFile,
      defaultPoolSize: options.defaultPoolSize ?? 20,
      reservePoolSize: options.reservePoolSize ?? 5,
      maxDbConnections: options.maxDbConnections ?? 0,
      maxClientConn: options.maxClientConn ?? 1000,
      statementTimeoutMs: options.statementTimeoutMs ?? 5_000,
    }),
  );
  const logFile = path.join(dataDir, "pgbouncer.log");
  const args = [...dropToPostgres([dataDir, authFile, iniFile]), iniFile];
  const child = startProcess("pgbouncer", PGBOUNCER_BINARY, args, logFile, { cwd: dataDir });
  try {
    await waitFor("PgBouncer to listen", async () => {
      if (child.child.exitCode !== null) throw new Error("exited");
      return isListening(port);
    });
  } catch (error) {
    await child.stop("SIGKILL");
    throw new Error(`PgBouncer did not start: ${(error as Error).message}\n${tail(logFile)}`, {
      cause: error,
    });
  }
  const urlFor = (database: string) => {
    const url = new URL(options.upstreamUrl);
    url.host = `127.0.0.1:${port}`;
    url.pathname = `/${database}`;
    url.searchParams.set("pgbouncer", "true");
    return url.toString();
  };
  const adminUrl = new URL(options.upstreamUrl);
  adminUrl.host = `127.0.0.1:${port}`;
  adminUrl.pathname = "/pgbouncer";
  return {
    port,
    url: (database = upstream.pathname.slice(1)) => urlFor(database),
    adminUrl: adminUrl.toString(),
    process: child,
    // SIGINT is PgBouncer's "safe shutdown": wait for clients' transactions, then exit.
    stop: () => child.stop("SIGINT", 10_000),
  };
}
