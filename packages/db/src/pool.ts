import pg from "pg";
import type { DatabaseConfig } from "@strata/config";
import { DatabaseUnavailableError, PoolExhaustedError, isConnectionError } from "./errors.ts";

export interface PoolLogger {
  warn(obj: object, msg: string): void;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export type Queryable = Pick<pg.PoolClient, "query">;

/** One PostgreSQL pool per process, configured as the scaling brief specifies. */
export interface Database {
  /** Runs one statement on a pooled connection. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  /** Runs `fn` inside BEGIN/COMMIT, rolling back on error; the client is always released. */
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Checks a connection out for `fn` and always releases it. */
  withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  stats(): PoolStats;
  close(): Promise<void>;
  readonly pool: pg.Pool;
}

const lastUsed = new WeakMap<pg.PoolClient, number>();

/**
 * Builds the pool: `poolSize` connections kept, `poolOverflow` more opened under load and
 * closed after `idleTimeoutMs`; connections recycled after `maxLifetimeSeconds`; a bounded
 * wait for a connection; a statement timeout; and a liveness check before a connection that
 * sat idle longer than `checkIdleMs` is handed out (PostgreSQL or a firewall may have dropped
 * it meanwhile). It never issues session-level SET or named prepared statements, so it works
 * behind PgBouncer in transaction mode.
 */
export function createDatabase(
  config: DatabaseConfig,
  options: { applicationName?: string; logger?: PoolLogger } = {},
): Database {
  const pool = new pg.Pool({
    connectionString: config.url,
    min: config.poolSize,
    max: config.poolSize + config.poolOverflow,
    idleTimeoutMillis: config.idleTimeoutMs,
    connectionTimeoutMillis: config.acquireTimeoutMs,
    maxLifetimeSeconds: config.maxLifetimeSeconds,
    // Sent as a startup parameter, so it needs no SET per session. PgBouncer refuses startup
    // parameters it does not track: behind it the server-side default applies instead.
    ...(config.pgbouncer ? {} : { statement_timeout: config.statementTimeoutMs }),
    application_name: options.applicationName ?? "strata",
    keepAlive: true,
  });
  const logger = options.logger;

  // Without these listeners a PostgreSQL restart or a killed backend emits 'error' on an
  // idle client and the process dies. The pool discards such clients by itself.
  pool.on("error", (error) =>
    logger?.warn({ err: error.message }, "idle database connection lost"),
  );
  pool.on("connect", (client) => {
    client.on("error", (error) =>
      logger?.warn({ err: error.message }, "database connection error"),
    );
  });
  pool.on("release", (_err, client) => lastUsed.set(client as pg.PoolClient, Date.now()));

  // A connection dropped silently (NAT or firewall state lost, host gone) never answers and
  // never errors: without a bound, SELECT 1 would wait for TCP to give up, many minutes later,
  // and hold the caller (and pool.end()) all that time.
  async function ping(client: pg.PoolClient): Promise<void> {
    const reply = client.query("SELECT 1");
    // Releasing with an error destroys the socket, which then rejects the abandoned query.
    reply.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`liveness check got no reply within ${config.acquireTimeoutMs} ms`)),
        config.acquireTimeoutMs,
      );
    });
    try {
      await Promise.race([reply, silence]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function acquire(): Promise<pg.PoolClient> {
    // Two tries: a stale connection found by the liveness check is discarded and replaced.
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        if (/timeout exceeded when trying to connect/i.test((error as Error).message)) {
          // pg reports both "all busy" and "server not answering" this way; tell them apart.
          if (pool.totalCount >= config.poolSize + config.poolOverflow) {
            throw new PoolExhaustedError(Date.now() - started);
          }
          throw new DatabaseUnavailableError(error);
        }
        if (isConnectionError(error)) throw new DatabaseUnavailableError(error);
        throw error;
      }
      const idleSince = lastUsed.get(client);
      if (idleSince === undefined || Date.now() - idleSince < config.checkIdleMs) return client;
      try {
        await ping(client);
        return client;
      } catch (error) {
        logger?.warn({ err: (error as Error).message }, "stale database connection replaced");
        client.release(error as Error); // destroys it
        if (attempt >= 1) throw new DatabaseUnavailableError(error);
      }
    }
  }

  async function withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await acquire();
    let failure: Error | undefined;
    try {
      return await fn(client);
    } catch (error) {
      // A broken connection must not go back to the pool.
      if (isConnectionError(error)) failure = error as Error;
      throw isConnectionError(error) ? new DatabaseUnavailableError(error) : error;
    } finally {
      client.release(failure);
    }
  }

  return {
    pool,
    query: (text, values) => withClient((client) => client.query(text, values)),
    withClient,
    transaction: (fn) =>
      withClient(async (client) => {
        await client.query("BEGIN");
        try {
          const result = await fn(client);
          await client.query("COMMIT");
          return result;
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {});
          throw error;
        }
      }),
    stats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: config.poolSize + config.poolOverflow,
    }),
    close: () => pool.end(),
  };
}
