import { uploadRequestLimit, variables } from "@strata/config";
import type { NginxSettings } from "./generate-nginx-config.ts";
import { upstreamRoles } from "./upstream-roles.ts";

/**
 * deploy/nginx/strata.conf: the same generator with production values. Instances are the
 * Compose/Kubernetes service names on the API's default port; limits are the API's defaults
 * from @strata/config, so changing a default there changes this file (and its test says so).
 */
export const productionNginxSettings: NginxSettings = {
  listen: "80",
  servers: upstreamRoles(
    ["api-1", "api-2", "api-3"].map((name) => ({
      name,
      address: `${name}:${variables.httpVars.PORT.parse(undefined)}`,
    })),
  ),
  maxBodyBytes: variables.httpVars.BODY_LIMIT_BYTES.parse(undefined),
  uploads: {
    imageRequestBytes: uploadRequestLimit(variables.uploadVars.UPLOAD_LIMIT_BYTES.parse(undefined)),
    importRequestBytes: uploadRequestLimit(
      variables.uploadVars.IMPORT_LIMIT_BYTES.parse(undefined),
    ),
  },
  apiKeepAliveTimeoutMs: variables.httpVars.KEEP_ALIVE_TIMEOUT_MS.parse(undefined),
  apiDrainDelayMs: variables.httpVars.DRAIN_DELAY_MS.parse(undefined),
  apiRequestTimeoutMs: variables.httpVars.REQUEST_TIMEOUT_MS.parse(undefined),
  user: "www-data",
  workerProcesses: "auto",
  workerConnections: 4096,
  // The front end's build (apps/web/dist), copied into the nginx image or volume.
  webRoot: "/usr/share/strata/web",
  cache: {
    path: "/var/cache/nginx/strata",
    maxSize: "1g",
    sessionCookie: variables.sessionVars.SESSION_COOKIE_NAME.parse(undefined),
    // API pods and workers refresh entries from the cluster's private network.
    refreshAllowedFrom: ["127.0.0.1", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
    // Not published: Compose's API and worker reach it as http://nginx:8081.
    refreshListen: "8081",
  },
  paths: {
    pidFile: "/run/nginx.pid",
    errorLog: "/var/log/nginx/error.log",
    accessLog: "/var/log/nginx/strata-access.log",
  },
};
