export { startProcess, tail, type ManagedProcess } from "./child.ts";
export { freePort, isListening, waitFor } from "./ports.ts";
export {
  startPostgres,
  postgresBinDir,
  type PostgresServer,
  type PostgresOptions,
} from "./postgres.ts";
export { startRedis, type RedisServer, type RedisOptions } from "./redis.ts";
export { startS3, s3Credentials, type S3Server, type S3Options, type S3Credentials } from "./s3.ts";
export {
  startNginx,
  nginxBinary,
  prepareNginxPrefix,
  testNginxConfig,
  type NginxServer,
  type NginxOptions,
} from "./nginx.ts";
export { ensureDebianPackage } from "./system-packages.ts";
export {
  startPgBouncer,
  renderPgBouncerIni,
  PGBOUNCER_BINARY,
  type PgBouncerServer,
  type PgBouncerOptions,
} from "./pgbouncer.ts";
export { allowTraversal } from "./traversal.ts";
