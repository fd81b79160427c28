import { z } from "zod";
import { list } from "./env-types.ts";

/**
 * The operations view (GET /api/ops/overview): which processes to gather metrics from. A list
 * from configuration: the stack runner and Compose name each instance; on Kubernetes one URL
 * names a headless Service, whose name resolves to every pod's address.
 */
export const opsVars = {
  OPS_INSTANCE_URLS: list
    .default([])
    .describe(
      "comma-separated base URLs of every API instance (their /ready and /metrics) for the operations view; a host name with several addresses (a headless Service) is one instance per address; empty: only this instance",
    ),
  OPS_INSTANCE_LIST_FILE: z
    .string()
    .optional()
    .describe(
      "path of a file with one instance base URL per line, read at every poll of the operations view (the stack runner rewrites it as it scales); when readable it takes the place of OPS_INSTANCE_URLS",
    ),
  OPS_NGINX_ACCESS_LOG: z
    .string()
    .optional()
    .describe(
      "path of nginx's JSON access log, read for the operations view's nginx tier and /metrics' nginx_cache_requests_total; unset: neither",
    ),
};

export interface OpsConfig {
  instanceUrls: string[];
  instanceListFile?: string;
  nginxAccessLog?: string;
}

type OpsValues = z.infer<z.ZodObject<typeof opsVars>>;

/** http(s)://host[:port], nothing after but an optional slash: an instance's base URL. */
export function isInstanceBaseUrl(url: string): boolean {
  return /^https?:\/\/[^/\s]+\/?$/.test(url);
}

export function checkOpsValues(v: OpsValues, problems: string[]): void {
  for (const url of v.OPS_INSTANCE_URLS) {
    if (!isInstanceBaseUrl(url)) {
      problems.push(`OPS_INSTANCE_URLS: ${url} is not a base URL such as http://10.0.0.5:3000`);
    }
  }
}

export function toOpsConfig(v: OpsValues): OpsConfig {
  return {
    instanceUrls: v.OPS_INSTANCE_URLS.map((u) => u.replace(/\/$/, "")),
    ...(v.OPS_INSTANCE_LIST_FILE ? { instanceListFile: v.OPS_INSTANCE_LIST_FILE } : {}),
    ...(v.OPS_NGINX_ACCESS_LOG ? { nginxAccessLog: v.OPS_NGINX_ACCESS_LOG } : {}),
  };
}
