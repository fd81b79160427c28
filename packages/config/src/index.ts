export { ConfigError, parseEnv } from "./load.ts";
export { loadApiConfig, apiVariables, type ApiConfig } from "./api-config.ts";
export {
  loadDatabaseToolConfig,
  databaseToolVariables,
  toDatabaseConfig,
  isPgBouncerUrl,
  type DatabaseConfig,
  type DatabaseToolConfig,
} from "./database-config.ts";
export * as variables from "./variables.ts";
export { isPlaceholderSecret } from "./secrets.ts";
export { describeVariables, type VariableDoc } from "./describe.ts";
export type { LimitNumbers, RateLimitConfig, RedisOutageMode } from "./rate-limit-config.ts";
export { loadWorkerConfig, workerVariables, type WorkerConfig } from "./worker-config.ts";
export { toStorageConfig, type StorageConfig } from "./storage-config.ts";
export { MULTIPART_OVERHEAD_BYTES, uploadRequestLimit } from "./upload-limits.ts";
export { API_MAX_HEADER_BYTES, NGINX_HEADER_BUFFERS } from "./header-limits.ts";
export { cacheVars, type CacheConfig } from "./cache-config.ts";
export { isInstanceBaseUrl, opsVars, type OpsConfig } from "./ops-config.ts";
export { listenProblem } from "./listen-problem.ts";
export { int as wholeNumberVar, MAX_TIMER_MS } from "./env-types.ts";
