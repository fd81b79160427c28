import { variables } from "@strata/config";
import { startPgBouncer } from "@strata/local-servers";
import type { DataLayout } from "../data-layout.ts";
import type { Supervisor } from "../process/supervisor.ts";
import type { DatabaseService } from "./database-service.ts";

export interface PgBouncerService {
  /** What the API instances and workers get as DATABASE_URL (`?pgbouncer=true`). */
  url: string;
  /** Client connections PgBouncer accepts: the instances' pools are budgeted against it. */
  maxClientConn: number;
  message: string;
}

const MAX_CLIENT_CONN = 1000;
const DEFAULT_POOL_SIZE = 20;
const RESERVE_POOL_SIZE = 5;

/**
 * `npm start -- --pgbouncer`: a private PgBouncer (Debian's, transaction mode) in front of the
 * stack's PostgreSQL, as deploy/ runs it. Every pool goes through it; its server connections
 * (pool + reserve) are few and must fit PostgreSQL beside the reserve kept for migrations and
 * psql. The statement timeout is set on each server connection (DB_STATEMENT_TIMEOUT_MS).
 */
export async function providePgBouncer(
  database: DatabaseService,
  layout: DataLayout,
  supervisor: Supervisor,
  env: NodeJS.ProcessEnv,
  reserve: number,
): Promise<PgBouncerService> {
  const serverConnections = DEFAULT_POOL_SIZE + RESERVE_POOL_SIZE;
  if (serverConnections + reserve > database.maxConnections) {
    throw new Error(
      `PgBouncer needs ${serverConnections} server connections + reserve ${reserve} > PostgreSQL max_connections ${database.maxConnections}`,
    );
  }
  const server = await startPgBouncer({
    dataDir: layout.pgbouncer,
    upstreamUrl: database.url,
    defaultPoolSize: DEFAULT_POOL_SIZE,
    reservePoolSize: RESERVE_POOL_SIZE,
    maxDbConnections: serverConnections,
    maxClientConn: MAX_CLIENT_CONN,
    statementTimeoutMs: variables.databaseVars.DB_STATEMENT_TIMEOUT_MS.parse(
      env.DB_STATEMENT_TIMEOUT_MS || undefined,
    ),
  });
  supervisor.add({
    name: "pgbouncer",
    role: "pgbouncer",
    address: `127.0.0.1:${server.port}`,
    logFile: server.process.logFile,
    process: server.process,
    stop: server.stop,
    stopSignal: "SIGINT",
    stopTimeoutMs: 10_000,
  });
  return {
    url: server.url(),
    maxClientConn: MAX_CLIENT_CONN,
    message: `PgBouncer (transaction mode) at 127.0.0.1:${server.port}: at most ${serverConnections} connections to PostgreSQL`,
  };
}
