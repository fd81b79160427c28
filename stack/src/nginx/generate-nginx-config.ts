import { immutableCacheControl } from "@strata/cache-policy";
import {
  cacheDirectives,
  cacheHttpDirectives,
  listenPort,
  REFRESH_HEADER,
  REFRESH_UPSTREAM,
  type NginxCacheSettings,
} from "./cache-directives.ts";
import { ACCESS_LOG_FORMAT, accessLogFormatLines } from "./access-log-format.ts";
import { frontEndHeaderLines } from "./front-end-headers.ts";
import { openFileCacheLines } from "./open-file-cache.ts";
import { proxyBufferLines } from "./proxy-buffers.ts";
import { headerBufferLines, methodCheckLines, methodMapLines } from "./request-limits.ts";
import { defaultUpstreamPolicy, type UpstreamPolicy } from "./upstream-policy.ts";

export interface UpstreamServer {
  /** Instance id, written as a comment beside its line (api-1, ...). */
  name: string;
  /** host:port nginx connects to. */
  address: string;
  weight: number;
  /** Receives traffic only while every primary is unavailable. */
  backup: boolean;
  /** Taken out of rotation (`down`): the instance is about to drain for a restart. */
  down?: boolean;
}

export interface NginxSettings {
  /** The `listen` parameter: "127.0.0.1:8080" locally, "80" in production. */
  listen: string;
  servers: UpstreamServer[];
  /** Largest JSON body the API accepts (BODY_LIMIT_BYTES): every route but the uploads. */
  maxBodyBytes: number;
  /**
   * Largest request bodies of the upload routes: uploadRequestLimit(UPLOAD_LIMIT_BYTES) for
   * `POST /api/products/:id/images`, uploadRequestLimit(IMPORT_LIMIT_BYTES) for /api/imports.
   */
  uploads?: { imageRequestBytes: number; importRequestBytes: number };
  /** The API's KEEP_ALIVE_TIMEOUT_MS; nginx's upstream keep-alive must end before it. */
  apiKeepAliveTimeoutMs: number;
  /**
   * The instances' DRAIN_DELAY_MS; it must outlast nginx's upstream keepalive_timeout, so that
   * when an instance closes its idle sockets nginx has already closed every one of them.
   */
  apiDrainDelayMs?: number;
  /** The API's REQUEST_TIMEOUT_MS; nginx waits longer so the API answers its own timeout. */
  apiRequestTimeoutMs: number;
  /** `user` directive: only when the master runs as root (workers drop to this user). */
  user?: string;
  workerProcesses: number | "auto";
  workerConnections: number;
  paths: {
    pidFile: string;
    errorLog: string;
    accessLog: string;
    /** Folder for request-body and response buffers; nginx's compiled-in default if unset. */
    tempDir?: string;
  };
  /**
   * The front end's build (apps/web/dist: index.html and content-hashed assets/), served from
   * disk. Unset: every path outside /api/ is proxied to the API instead.
   */
  webRoot?: string;
  /** The proxy_cache tier (see cache-directives.ts); unset: nginx caches nothing. */
  cache?: NginxCacheSettings;
  /** Echoed by nginx's own /health, so a reload can be seen to have taken effect. */
  revision?: string;
  policy?: UpstreamPolicy;
}

const UPSTREAM = "strata_api";

/**
 * The errors nginx answers itself, before or instead of an instance. `code` is nginx's own
 * (494 is its internal "request header too large", sent as 400 by default); `status` is what
 * the client gets.
 */
/** Where nginx's own error answers live: internal, so a client asking for it gets a 404. */
const ERROR_PAGES = "/_nginx/errors/";

const NGINX_ERRORS: {
  code: number;
  status: number;
  title: string;
  detail: string;
}[] = [
  {
    code: 400,
    status: 400,
    title: "Bad Request",
    detail: "the request is not valid HTTP",
  },
  {
    code: 404,
    status: 404,
    title: "Not Found",
    detail: "nothing is served at this path",
  },
  {
    code: 405,
    status: 405,
    title: "Method Not Allowed",
    detail: "this path does not accept that method",
  },
  {
    code: 413,
    status: 413,
    title: "Content Too Large",
    detail: "the request body is larger than this route accepts",
  },
  {
    code: 414,
    status: 414,
    title: "URI Too Long",
    detail: "the URL is longer than this server accepts",
  },
  {
    code: 494,
    status: 431,
    title: "Request Header Fields Too Large",
    detail: "a request header, or all of them together, is larger than this server accepts",
  },
  {
    code: 505,
    status: 505,
    title: "HTTP Version Not Supported",
    detail: "this server speaks HTTP/1.0 and HTTP/1.1",
  },
  {
    code: 501,
    status: 501,
    title: "Not Implemented",
    detail: "the request uses a method or transfer coding this server does not support",
  },
  {
    code: 502,
    status: 502,
    title: "Bad Gateway",
    detail: "no API instance could answer; try again shortly",
  },
  {
    code: 504,
    status: 504,
    title: "Gateway Timeout",
    detail: "the API did not answer in time",
  },
];
const SAFE_WORD = /^[A-Za-z0-9._:/[\]-]+$/;
const SAFE_PATH = /^[^\s;{}'"$]+$/;

/** Checks the settings; every problem is reported at once. */
export function validateNginxSettings(settings: NginxSettings): string[] {
  const problems: string[] = [];
  const policy = settings.policy ?? defaultUpstreamPolicy;
  if (!settings.servers.some((s) => !s.backup)) problems.push("at least one primary is needed");
  for (const s of settings.servers) {
    if (!SAFE_WORD.test(s.address))
      problems.push(`bad upstream address ${JSON.stringify(s.address)}`);
    if (!SAFE_WORD.test(s.name)) problems.push(`bad upstream name ${JSON.stringify(s.name)}`);
    if (!Number.isInteger(s.weight) || s.weight < 1) problems.push(`bad weight for ${s.name}`);
  }
  if (new Set(settings.servers.map((s) => s.address)).size !== settings.servers.length) {
    problems.push("upstream addresses must be distinct");
  }
  if (!SAFE_WORD.test(settings.listen)) problems.push(`bad listen ${settings.listen}`);
  if (
    settings.user !== undefined &&
    !/^[a-z_][a-z0-9_-]*( [a-z_][a-z0-9_-]*)?$/.test(settings.user)
  ) {
    problems.push(`bad user ${settings.user}`);
  }
  for (const [name, value] of Object.entries(settings.paths)) {
    if (value !== undefined && !SAFE_PATH.test(value)) problems.push(`bad path ${name}: ${value}`);
  }
  if (settings.webRoot !== undefined && !SAFE_PATH.test(settings.webRoot)) {
    problems.push(`bad webRoot ${settings.webRoot}`);
  }
  if (settings.cache) {
    if (!SAFE_PATH.test(settings.cache.path))
      problems.push(`bad cache path ${settings.cache.path}`);
    if (!/^[A-Za-z0-9_-]+$/.test(settings.cache.sessionCookie))
      problems.push("bad session cookie name");
    if (!/^\d+[kmg]$/.test(settings.cache.maxSize))
      problems.push(`bad cache maxSize ${settings.cache.maxSize}`);
    if (!SAFE_WORD.test(settings.cache.refreshListen))
      problems.push(`bad refresh listen ${settings.cache.refreshListen}`);
    if (listenPort(settings.cache.refreshListen) === listenPort(settings.listen))
      problems.push("the refresh listener needs a port of its own, not the public one");
    for (const a of settings.cache.refreshAllowedFrom) {
      if (!SAFE_WORD.test(a)) problems.push(`bad cache refresh address ${a}`);
    }
  }
  if (settings.revision !== undefined && !/^[A-Za-z0-9._-]+$/.test(settings.revision)) {
    problems.push(`bad revision ${settings.revision}`);
  }
  for (const [name, value] of Object.entries({
    maxBodyBytes: settings.maxBodyBytes,
    ...settings.uploads,
  })) {
    if (!Number.isInteger(value) || value < 1)
      problems.push(`${name} must be a positive whole number`);
  }
  if (
    settings.apiDrainDelayMs !== undefined &&
    policy.keepaliveTimeoutS * 1000 >= settings.apiDrainDelayMs
  ) {
    problems.push(
      `the instances' drain delay (${settings.apiDrainDelayMs} ms) must outlast the upstream keepalive_timeout (${policy.keepaliveTimeoutS} s), or a request nginx sends on an idle connection meets the instance closing it`,
    );
  }
  if (policy.keepaliveTimeoutS * 1000 >= settings.apiKeepAliveTimeoutMs) {
    problems.push(
      `upstream keepalive_timeout (${policy.keepaliveTimeoutS} s) must be shorter than the API's keep-alive timeout (${settings.apiKeepAliveTimeoutMs} ms), or nginx reuses sockets Node is closing`,
    );
  }
  return problems;
}

/**
 * The whole nginx configuration for strata, from settings to text: a pure function, used by
 * the stack runner and by the script that writes deploy/nginx/strata.conf, so the local and
 * production files cannot drift.
 */
export function generateNginxConfig(settings: NginxSettings): string {
  const problems = validateNginxSettings(settings);
  if (problems.length > 0)
    throw new Error(`invalid nginx settings:\n  - ${problems.join("\n  - ")}`);
  const p = settings.policy ?? defaultUpstreamPolicy;
  // nginx waits for the API a little longer than the API's own request timeout, so a slow
  // request ends with the API's problem+json 503, not an nginx 504 and a retry.
  const readTimeoutS = Math.ceil(settings.apiRequestTimeoutMs / 1000) + 5;
  const { paths } = settings;
  const cached = settings.cache !== undefined;
  const lines: string[] = [];
  const out = (text = "") => lines.push(text);

  out("# Generated by stack/src/nginx/generate-nginx-config.ts; do not edit by hand.");
  out("# Local stack: written into the data folder by `npm start`.");
  out("# Production: deploy/nginx/strata.conf, rewritten with `npm run deploy:nginx`.");
  out();
  if (settings.user !== undefined) out(`user ${settings.user};`);
  out(`worker_processes ${settings.workerProcesses};`);
  out(`pid ${paths.pidFile};`);
  out(`error_log ${paths.errorLog} warn;`);
  out();
  out("events {");
  out(`    worker_connections ${settings.workerConnections};`);
  out("}");
  out();
  out("http {");
  out("    include /etc/nginx/mime.types;");
  out("    default_type application/octet-stream;");
  out("    server_tokens off;");
  out("    sendfile on;");
  out("    tcp_nopush on;");
  for (const line of openFileCacheLines) out(`    ${line}`);
  if (paths.tempDir !== undefined) {
    for (const kind of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
      out(`    ${kind}_temp_path ${paths.tempDir}/${kind};`);
    }
  }
  out();
  out("    # One JSON object per request: who answered (upstream_addr lists every server tried,");
  out("    # so a retried request shows more than one), with what status, from which cache tier.");
  for (const line of accessLogFormatLines) out(`    ${line}`);
  out(`    access_log ${paths.accessLog} ${ACCESS_LOG_FORMAT};`);
  out();
  if (settings.cache) {
    cacheHttpDirectives(out, settings.cache);
    out();
  }
  out(
    "    # Bodies larger than the API accepts are refused here, before they cross to an instance.",
  );
  out(`    client_max_body_size ${settings.maxBodyBytes};`);
  out(
    "    # Request heads and methods an instance would refuse are refused here (request-limits.ts).",
  );
  for (const line of headerBufferLines) out(`    ${line}`);
  for (const line of methodMapLines) out(`    ${line}`);
  out("    # A typical API answer is read from its instance in one recv (proxy-buffers.ts).");
  for (const line of proxyBufferLines) out(`    ${line}`);
  out();
  out(`    upstream ${UPSTREAM} {`);
  out("        # Shared by all workers: failure counts and active connections are one view.");
  out(`        zone ${UPSTREAM} 64k;`);
  out("        least_conn;");
  out(
    `        # max_fails=${p.maxFails} fail_timeout=${p.failTimeoutS}s: see stack/src/nginx/upstream-policy.ts`,
  );
  for (const s of settings.servers) {
    const flags = [
      `weight=${s.weight}`,
      `max_fails=${p.maxFails}`,
      `fail_timeout=${p.failTimeoutS}s`,
      ...(s.backup ? ["backup"] : []),
      ...(s.down ? ["down"] : []),
    ];
    out(`        server ${s.address} ${flags.join(" ")};  # ${s.name}`);
  }
  out(`        keepalive ${p.keepaliveConnections};`);
  out(`        keepalive_requests ${p.keepaliveRequests};`);
  out(
    `        # Shorter than the API's keep-alive (${settings.apiKeepAliveTimeoutMs} ms) and than its drain delay.`,
  );
  out(`        keepalive_timeout ${p.keepaliveTimeoutS}s;`);
  out("    }");
  out();
  out("    server {");
  out(`        listen ${settings.listen};`);
  if (settings.cache) {
    out("        # Internal: where writers refresh cache entries (never published).");
    out(`        listen ${settings.cache.refreshListen};`);
  }
  out("        server_name _;");
  for (const line of methodCheckLines) out(`        ${line}`);
  out();
  out("        # nginx's own liveness; the instances' /health and /ready are on their own ports.");
  out("        location = /health {");
  out("            access_log off;");
  out("            default_type application/health+json;");
  const revision = settings.revision === undefined ? "" : `,"revision":"${settings.revision}"`;
  out(`            return 200 '{"status":"pass"${revision}}\\n';`);
  out("        }");
  out();
  out("        # Prometheus scrapes each instance directly; metrics are not public. Readiness is");
  out("        # an instance's own (nginx's is /health): not the front end's page either.");
  out("        location = /metrics {");
  out("            return 404;");
  out("        }");
  out("        location = /ready {");
  out("            return 404;");
  out("        }");
  out();
  out("        location /api/ {");
  if (settings.cache) cacheDirectives(out);
  proxyBlock(out, p, readTimeoutS, true, cached);
  out("        }");
  if (settings.uploads) {
    out();
    out("        # Image uploads: the file limit plus the multipart envelope (as the API computes");
    out("        # it). Buffered here (the default), so a slow client never holds an instance and");
    out("        # a refused connect can still be retried on another one.");
    out("        location ~ ^/api/products/[0-9]+/images$ {");
    out(`            client_max_body_size ${settings.uploads.imageRequestBytes};`);
    out("            # The same proxy settings as /api/ (see the comments there).");
    proxyBlock(out, p, readTimeoutS, false, cached);
    out("        }");
    out();
    out(
      "        # CSV imports may be hundreds of megabytes: streamed to the instance (which streams",
    );
    out("        # them to object storage) instead of being spooled to this proxy's disk first.");
    out("        location /api/imports {");
    out(`            client_max_body_size ${settings.uploads.importRequestBytes};`);
    out("            proxy_request_buffering off;");
    out("            # The same proxy settings as /api/ (see the comments there).");
    proxyBlock(out, p, readTimeoutS, false, cached);
    out("        }");
  }
  out();
  if (settings.webRoot !== undefined) {
    frontEnd(out, settings.webRoot);
  } else {
    out("        location / {");
    out("            # The same proxy settings as /api/ (see the comments there).");
    proxyBlock(out, p, readTimeoutS, false, cached);
    out("        }");
  }
  out();
  out("        # nginx's own errors speak the API's language: application/problem+json. Only the");
  out("        # answers nginx makes itself: an instance's own errors pass through untouched");
  out("        # (proxy_intercept_errors is off). Pages by URI, not named locations: a request");
  out("        # whose request line could not be read has no URI to carry into a named one.");
  for (const e of NGINX_ERRORS) {
    const as = e.status === e.code ? "" : ` =${e.status}`;
    out(`        error_page ${e.code}${as} ${ERROR_PAGES}${e.status};`);
  }
  out(`        location ^~ ${ERROR_PAGES} {`);
  out("            internal;");
  out("            default_type application/problem+json;");
  out("            add_header X-Request-Id $request_id always;");
  for (const e of NGINX_ERRORS) {
    const body = JSON.stringify({
      type: "about:blank",
      title: e.title,
      status: e.status,
      detail: e.detail,
    });
    out(`            location = ${ERROR_PAGES}${e.status} {`);
    out(`                return ${e.status} '${body}\\n';`);
    out("            }");
  }
  out("        }");
  out("    }");
  out("}");
  return `${lines.join("\n")}\n`;
}

/**
 * The front end, served from disk. Vite names every asset after a hash of its bytes, so an
 * asset URL never changes meaning: one year and `immutable`, and browsers do not even
 * revalidate on reload. index.html names the current assets, so it is always revalidated
 * (`no-cache`: ETag → 304). Every other path is a page of the single-page app (SPA fallback).
 */
function frontEnd(out: (text?: string) => void, webRoot: string): void {
  out("        # ---- front end: /assets/ and index.html are served from disk (apps/web) ----");
  out(`        root ${webRoot};`);
  const securityHeaders = () => {
    for (const line of frontEndHeaderLines()) out(`            ${line}`);
  };
  out("        # Security headers (CSP and framing): see stack/src/nginx/front-end-headers.ts.");
  out("        location /assets/ {");
  out(`            add_header Cache-Control "${immutableCacheControl()}" always;`);
  securityHeaders();
  out(
    "            # A missing asset is a 404, never index.html: a stale page must not run HTML as JS.",
  );
  out("            try_files $uri =404;");
  out("            gzip on;");
  out("            gzip_vary on;");
  out("            gzip_types text/css application/javascript image/svg+xml;");
  out("        }");
  out("        location = /index.html {");
  out('            add_header Cache-Control "no-cache" always;');
  securityHeaders();
  out("        }");
  out("        location / {");
  securityHeaders();
  out("            try_files $uri /index.html;");
  out("        }");
}

/**
 * The proxy settings, written out in every proxied location: nginx drops all inherited
 * proxy_set_header lines as soon as a location sets one, so nothing relies on inheritance.
 */
function proxyBlock(
  out: (text?: string) => void,
  p: UpstreamPolicy,
  readTimeoutS: number,
  explain: boolean,
  cached: boolean,
): void {
  const why = (text: string) => {
    if (explain) out(text);
  };
  out(`            proxy_pass http://${UPSTREAM};`);
  why("            # HTTP/1.1 with an empty Connection header: upstream keep-alive.");
  out("            proxy_http_version 1.1;");
  out('            proxy_set_header Connection "";');
  why("            # The Host the browser sent, port included: the upload routes compare it with");
  why("            # Origin (same-origin check), and $host would drop a non-default port.");
  out("            proxy_set_header Host $http_host;");
  why("            # Overwritten, never passed through: a client cannot choose its request id or");
  why("            # its address. The API trusts X-Forwarded-For only from nginx's address.");
  out("            proxy_set_header X-Request-Id $request_id;");
  out("            proxy_set_header X-Forwarded-For $remote_addr;");
  out("            proxy_set_header X-Forwarded-Proto $scheme;");
  out('            proxy_set_header Forwarded "";');
  why("            # Set only for a refresh nginx honoured (see the map); a client's is dropped.");
  out(`            proxy_set_header ${REFRESH_HEADER} ${cached ? REFRESH_UPSTREAM : '""'};`);
  out(`            proxy_connect_timeout ${p.connectTimeoutS}s;`);
  out(`            proxy_send_timeout ${readTimeoutS}s;`);
  out(`            proxy_read_timeout ${readTimeoutS}s;`);
  why("            # Retries: nginx never resends a POST/PATCH/LOCK once it was sent (no");
  why("            # non_idempotent); a refused connect is retried for every method, as nothing");
  why("            # reached the instance. Bodies stay buffered (proxy_request_buffering on) so");
  why("            # a retry can replay them.");
  out("            proxy_next_upstream error timeout http_502 http_504;");
  out(`            proxy_next_upstream_tries ${p.nextUpstreamTries};`);
  out(`            proxy_next_upstream_timeout ${p.nextUpstreamTimeoutS}s;`);
}
