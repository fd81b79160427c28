/** One kind of process that connects to PgBouncer, at its largest declared count. */
export interface PooledClients {
  name: string;
  /** Replicas at most: the autoscaler's maximum, or the fixed count. */
  processes: number;
  /** DB_POOL_SIZE + DB_POOL_OVERFLOW: a process's connections at its peak. */
  perProcess: number;
}

export interface PgBouncerBudgetInput {
  clients: PooledClients[];
  pgbouncer: {
    replicas: number;
    maxClientConn: number;
    defaultPoolSize: number;
    reservePoolSize: number;
    /** 0 is unlimited in PgBouncer: refused here, since nothing would then bound the total. */
    maxDbConnections: number;
  };
  postgres: {
    maxConnections: number;
    /** Direct connections besides PgBouncer's: migrations, seed, psql, monitoring. */
    direct: number;
    /** superuser_reserved_connections (3 by default): not for ordinary roles. */
    superuserReserved: number;
  };
}

/**
 * The connection sums a deployment must satisfy, each problem spelled out with its numbers:
 *
 * - clients → PgBouncer: every pod's pool at its peak, with every autoscaler at its maximum,
 *   must fit `max_client_conn` of ONE PgBouncer, because during a PgBouncer rollout or
 *   outage the others take all the clients (and a Service does not spread them evenly).
 * - PgBouncer → PostgreSQL: each replica opens at most `max_db_connections` server
 *   connections (and at most default + reserve pool for our one database/user pair); all
 *   replicas together, plus the direct connections, must fit under `max_connections` less
 *   the superuser reserve.
 */
export function checkPgBouncerBudget(input: PgBouncerBudgetInput): string[] {
  const problems: string[] = [];
  const { pgbouncer: b, postgres: pg } = input;
  const clients = input.clients.reduce((sum, c) => sum + c.processes * c.perProcess, 0);
  const formula = input.clients
    .map((c) => `${c.name} ${c.processes} × ${c.perProcess}`)
    .join(" + ");
  if (clients > b.maxClientConn) {
    problems.push(
      `client connections ${formula} = ${clients} exceed one PgBouncer's max_client_conn ${b.maxClientConn}`,
    );
  }
  if (b.maxDbConnections <= 0) {
    problems.push("max_db_connections must be set (0 is unlimited): it bounds the server side");
  }
  const perReplica = Math.min(b.maxDbConnections, b.defaultPoolSize + b.reservePoolSize);
  const server = b.replicas * perReplica + pg.direct;
  const usable = pg.maxConnections - pg.superuserReserved;
  if (server > usable) {
    problems.push(
      `server connections ${b.replicas} PgBouncer × ${perReplica} + ${pg.direct} direct = ${server} exceed PostgreSQL's ${pg.maxConnections} max_connections - ${pg.superuserReserved} reserved = ${usable}`,
    );
  }
  return problems;
}
