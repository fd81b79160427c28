export {
  startStack,
  runningStackPid,
  StackAlreadyRunningError,
  type Stack,
  type StackStatus,
  type InstanceStatus,
  type StartOptions,
} from "./stack.ts";
export {
  loadStackSettings,
  stackVariables,
  type StackSettings,
  type StackFlags,
} from "./settings.ts";
export {
  generateNginxConfig,
  validateNginxSettings,
  type NginxSettings,
  type UpstreamServer,
} from "./nginx/generate-nginx-config.ts";
export {
  defaultUpstreamPolicy,
  stackDrainDelayMs,
  type UpstreamPolicy,
} from "./nginx/upstream-policy.ts";
export {
  checkConnectionBudget,
  maxInstancesWithin,
  type ConnectionBudget,
} from "./connection-budget.ts";
export { upstreamRoles, PRIMARY_WEIGHT, BACKUP_WEIGHT } from "./nginx/upstream-roles.ts";
export {
  API_HEAP_LIMIT_MB,
  buildServerBundle,
  bundleNodeArgs,
  serverBundles,
  serverNodeFlags,
  type ServerName,
} from "./build/server-bundles.ts";
export { ACCESS_LOG_FORMAT, accessLogFormatLines } from "./nginx/access-log-format.ts";
export { openFileCacheLines } from "./nginx/open-file-cache.ts";
export { proxyBufferLines } from "./nginx/proxy-buffers.ts";
export { upstreamFailures } from "./nginx/error-log.ts";
export { frontEndSecurityHeaders } from "./nginx/front-end-headers.ts";
export { replayingRequest, type HttpAnswer, type HttpRequestOptions } from "./replaying-request.ts";
