export { createDatabase, type Database, type PoolStats, type Queryable } from "./pool.ts";
export { DatabaseUnavailableError, PoolExhaustedError, isConnectionError } from "./errors.ts";
export { migrate } from "./migrate.ts";
