export interface ConnectionBudgetInput {
  instances: number;
  workers: number;
  /** DB_POOL_SIZE: connections each process keeps open. */
  poolSize: number;
  /** DB_POOL_OVERFLOW: extra connections each process may open under load. */
  poolOverflow: number;
  /** Connections kept free for migrations, psql, monitoring and superusers. */
  reserve: number;
  /** PostgreSQL's max_connections, or PgBouncer's max_client_conn in front of it. */
  maxConnections: number;
  /** What maxConnections is, when not PostgreSQL's max_connections. */
  limitName?: string;
}

export interface ConnectionBudget {
  ok: boolean;
  /** Connections the configuration may open at its peak, reserve included. */
  needed: number;
  maxConnections: number;
  message: string;
}

/**
 * Every process may open poolSize + poolOverflow connections at its peak; with the reserve
 * they must fit under max_connections, or under load the last instance to ask gets
 * "too many clients" instead of a connection. Refused up front, with the numbers.
 */
export function checkConnectionBudget(input: ConnectionBudgetInput): ConnectionBudget {
  const processes = input.instances + input.workers;
  const perProcess = input.poolSize + input.poolOverflow;
  const needed = processes * perProcess + input.reserve;
  const formula =
    `(${input.instances} instances + ${input.workers} workers) × ` +
    `(DB_POOL_SIZE ${input.poolSize} + DB_POOL_OVERFLOW ${input.poolOverflow}) + ` +
    `reserve ${input.reserve} = ${needed}`;
  const ok = needed <= input.maxConnections;
  const message = ok
    ? `connection budget: ${formula} ≤ ${input.limitName ?? "max_connections"} ${input.maxConnections}`
    : `connection budget exceeded: ${formula} > ${input.limitName ?? "PostgreSQL max_connections"} ${input.maxConnections}; ` +
      `lower the instance count or the pool sizes, raise max_connections, or put PgBouncer in front`;
  return { ok, needed, maxConnections: input.maxConnections, message };
}

/** The largest instance count that fits the budget (0 when not even one does). */
export function maxInstancesWithin(input: Omit<ConnectionBudgetInput, "instances">): number {
  const perProcess = input.poolSize + input.poolOverflow;
  const free = input.maxConnections - input.reserve - input.workers * perProcess;
  return Math.max(0, Math.floor(free / perProcess));
}
