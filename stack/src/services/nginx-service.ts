import path from "node:path";
import fs from "node:fs";
import {
  allowTraversal,
  prepareNginxPrefix,
  startNginx,
  type NginxServer,
} from "@strata/local-servers";
import type { DataLayout } from "../data-layout.ts";
import { waitForHttp } from "../http-probe.ts";
import { generateNginxConfig, type UpstreamServer } from "../nginx/generate-nginx-config.ts";
import type { Supervisor } from "../process/supervisor.ts";
import type { StackSettings } from "../settings.ts";

/**
 * The local nginx: its configuration is generated from the stack settings (the same generator
 * as deploy/nginx/strata.conf), written into the data folder and checked with `nginx -t`
 * before every start and reload. Each configuration carries a revision that nginx's own
 * /health echoes, so a reload is known to have taken effect.
 */
export class NginxService {
  readonly #settings: StackSettings;
  readonly #layout: DataLayout;
  readonly #supervisor: Supervisor;
  #server: NginxServer | undefined;
  #revision = 0;
  readonly #runId = Date.now().toString(36);

  readonly #webRoot: string | undefined;
  readonly #refreshPort: number;

  /**
   * `refreshPort`: nginx's internal listener, on which writers refresh cache entries;
   * `webRoot`: the front end's build, served from disk (see services/web-build.ts).
   */
  constructor(
    settings: StackSettings,
    layout: DataLayout,
    supervisor: Supervisor,
    refreshPort: number,
    webRoot?: string,
  ) {
    this.#settings = settings;
    this.#layout = layout;
    this.#supervisor = supervisor;
    this.#refreshPort = refreshPort;
    this.#webRoot = webRoot;
  }

  get url(): string {
    return `http://${this.#settings.host}:${this.#settings.port}`;
  }

  /** Where the instances and workers refresh nginx's cache entries (NGINX_PURGE_URLS). */
  get refreshUrl(): string {
    return `http://127.0.0.1:${this.#refreshPort}`;
  }

  get accessLog(): string {
    return path.join(this.#layout.logs, "nginx-access.log");
  }

  get errorLog(): string {
    return path.join(this.#layout.logs, "nginx-error.log");
  }

  #write(servers: UpstreamServer[]): string {
    // Inside the temp folder, so it belongs to nginx's worker user like the other buffers.
    const cacheDir = path.join(this.#layout.nginxTemp, "cache");
    fs.mkdirSync(cacheDir, { recursive: true });
    const { user } = prepareNginxPrefix(this.#layout.nginx, this.#layout.nginxTemp);
    // nginx's workers (nobody when the stack runs as root) read the front end from the
    // checkout, which may sit in a 0700 folder (a clone into mktemp -d).
    if (user && this.#webRoot) allowTraversal(this.#webRoot);
    this.#revision++;
    const revision = `${this.#runId}-${this.#revision}`;
    const text = generateNginxConfig({
      listen: `${this.#settings.host}:${this.#settings.port}`,
      servers,
      maxBodyBytes: this.#settings.api.bodyLimitBytes,
      uploads: this.#settings.api.uploads,
      apiKeepAliveTimeoutMs: this.#settings.api.keepAliveTimeoutMs,
      apiDrainDelayMs: this.#settings.drainDelayMs,
      apiRequestTimeoutMs: this.#settings.api.requestTimeoutMs,
      ...(user ? { user } : {}),
      workerProcesses: "auto",
      workerConnections: 1024,
      paths: {
        pidFile: path.join(this.#layout.nginx, "nginx.pid"),
        errorLog: this.errorLog,
        accessLog: this.accessLog,
        tempDir: this.#layout.nginxTemp,
      },
      ...(this.#webRoot ? { webRoot: this.#webRoot } : {}),
      cache: {
        path: cacheDir,
        maxSize: "256m",
        sessionCookie: this.#settings.baseEnv.SESSION_COOKIE_NAME ?? "strata_session",
        // The instances and workers refresh entries from the loopback address, on the port
        // of their own (a local client shares that address).
        refreshAllowedFrom: ["127.0.0.1"],
        refreshListen: `127.0.0.1:${this.#refreshPort}`,
      },
      revision,
    });
    fs.writeFileSync(this.#layout.nginxConf, text);
    return revision;
  }

  async #effective(revision: string): Promise<void> {
    await waitForHttp("nginx", `${this.url}/health`, {
      timeoutMs: 15_000,
      accept: (r) => r.body.includes(`"revision":"${revision}"`),
      gone: () => {
        const c = this.#server?.process.child;
        return c && (c.exitCode !== null || c.signalCode !== null) ? "nginx exited" : undefined;
      },
    });
  }

  async start(servers: UpstreamServer[]): Promise<void> {
    const revision = this.#write(servers);
    const logFile = path.join(this.#layout.logs, "nginx.log");
    this.#server = await startNginx({
      prefixDir: this.#layout.nginx,
      configFile: this.#layout.nginxConf,
      host: this.#settings.host,
      port: this.#settings.port,
      logFile,
    });
    this.#supervisor.add({
      name: "nginx",
      role: "nginx",
      address: `${this.#settings.host}:${this.#settings.port}`,
      logFile: path.join(this.#layout.logs, "nginx-error.log"),
      process: this.#server.process,
      stop: this.#server.stop,
      stopSignal: "SIGQUIT",
      stopTimeoutMs: 15_000,
    });
    await this.#effective(revision);
  }

  /** Rewrites the upstream list and reloads nginx gracefully (old workers finish first). */
  async update(servers: UpstreamServer[]): Promise<void> {
    if (!this.#server) throw new Error("nginx is not running");
    const revision = this.#write(servers);
    await this.#server.reload();
    await this.#effective(revision);
  }
}
