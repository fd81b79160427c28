export { startProcess, tail, type ManagedProcess } from "./child.ts";
export { freePort, isListening, waitFor } from "./ports.ts";
export {
  startPostgres,
  postgresBinDir,
  type PostgresServer,
  type PostgresOptions,
} from "./postgres.ts";
export { startRedis, type RedisServer, type RedisOptions } from "./redis.ts";
export { ensureDebianPackage } from "./system-packages.ts";
