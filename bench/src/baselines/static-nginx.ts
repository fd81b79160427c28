import fs from "node:fs";
import path from "node:path";
import { freePort, prepareNginxPrefix, startNginx, type NginxServer } from "@strata/local-servers";
import {
  ACCESS_LOG_FORMAT,
  accessLogFormatLines,
  openFileCacheLines,
  proxyBufferLines,
} from "@strata/stack";

export interface StaticNginx {
  url: string;
  /** The proxy-hop ceiling: `GET /bare` of the given upstreams, through this nginx. */
  hopUrl: string;
  stop(): Promise<void>;
}

/**
 * The nginx ceiling: a second nginx serving one file of the product list's size, with the
 * stack's nginx settings that matter for speed (worker_processes auto, sendfile, the open
 * file cache, the same access log format writing to disk), so the ratio measures what proxy_cache adds and not a
 * difference in set-up.
 *
 * It also holds the proxy-hop ceiling: `/hop` proxies to `hopUpstreams` (bare Fastify
 * processes) with least_conn, upstream keep-alive and the stack's proxy buffers, and nothing
 * else. Through it against one bare process directly is what a proxy hop itself costs on this
 * machine, the bound for "through nginx against direct".
 */
export async function startStaticNginx(
  dir: string,
  body: string,
  hopUpstreams: string[],
): Promise<StaticNginx> {
  const prefix = path.join(dir, "static-nginx");
  const temp = path.join(prefix, "temp");
  const www = path.join(prefix, "www");
  fs.mkdirSync(www, { recursive: true });
  fs.writeFileSync(path.join(www, "products.json"), body);
  const { user } = prepareNginxPrefix(prefix, temp);
  // nginx's workers (nobody) must read the file and traverse to it.
  for (let d = www; d !== path.dirname(d); d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o005) !== 0o005) fs.chmodSync(d, mode | 0o005);
  }
  fs.chmodSync(path.join(www, "products.json"), 0o644);
  const port = await freePort();
  const conf = path.join(prefix, "nginx.conf");
  fs.writeFileSync(
    conf,
    [
      ...(user ? [`user ${user};`] : []),
      "worker_processes auto;",
      `pid ${prefix}/nginx.pid;`,
      `error_log ${prefix}/error.log warn;`,
      "events { worker_connections 1024; }",
      "http {",
      "  sendfile on;",
      "  tcp_nopush on;",
      ...openFileCacheLines.map((line) => `  ${line}`),
      "  server_tokens off;",
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(
        (k) => `  ${k}_temp_path ${temp}/${k};`,
      ),
      ...accessLogFormatLines.map((line) => `  ${line}`),
      `  access_log ${prefix}/access.log ${ACCESS_LOG_FORMAT};`,
      "  upstream hop {",
      "    least_conn;",
      ...hopUpstreams.map((address) => `    server ${address};`),
      "    keepalive 32;",
      "  }",
      "  server {",
      `    listen 127.0.0.1:${port};`,
      `    root ${www};`,
      "    default_type application/json;",
      "    location = /hop {",
      "      proxy_pass http://hop/bare;",
      "      proxy_http_version 1.1;",
      '      proxy_set_header Connection "";',
      ...proxyBufferLines.map((line) => `      ${line}`),
      "    }",
      "  }",
      "}",
      "",
    ].join("\n"),
  );
  const server: NginxServer = await startNginx({
    prefixDir: prefix,
    configFile: conf,
    host: "127.0.0.1",
    port,
    logFile: path.join(prefix, "nginx.log"),
  });
  return {
    url: `http://127.0.0.1:${port}/products.json`,
    hopUrl: `http://127.0.0.1:${port}/hop`,
    stop: () => server.stop(),
  };
}
