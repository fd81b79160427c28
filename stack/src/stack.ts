import fs from "node:fs";
import { freePort } from "@strata/local-servers";
import { adminCredentials, type AdminCredentials } from "./admin-credentials.ts";
import { checkConnectionBudget, type ConnectionBudget } from "./connection-budget.ts";
import { dataLayout, type DataLayout } from "./data-layout.ts";
import { cleanStalePidFiles } from "./process/pid-files.ts";
import {
  isSameProcess,
  readProcessIdentity,
  type ProcessIdentity,
} from "./process/process-identity.ts";
import { Supervisor, type ProcessRow } from "./process/supervisor.ts";
import { ApiFleet, type InstanceSlot } from "./services/api-fleet.ts";
import { provideDatabase, type DatabaseService } from "./services/database-service.ts";
import { providePgBouncer } from "./services/pgbouncer-service.ts";
import { setUpDatabase } from "./services/database-setup.ts";
import { NginxService } from "./services/nginx-service.ts";
import { provideRedis, type RedisServerName, type RedisService } from "./services/redis-service.ts";
import { checkPublicAddress } from "./services/public-address.ts";
import { provideS3, s3Env, type S3Service } from "./services/s3-service.ts";
import { ensureWebBuild } from "./services/web-build.ts";
import { restartExitedWorkers, startWorkers, type WorkerOptions } from "./services/workers.ts";
import type { StackSettings } from "./settings.ts";
import { settleAll } from "./settle-all.ts";

export interface InstanceStatus {
  id: string;
  address: string;
  weight: number;
  backup: boolean;
  running: boolean;
}

/** The private storage servers a failure drill may stop and start again. */
export type StorageServerName = "postgres" | RedisServerName;

export interface StackStatus {
  state: "ready" | "busy" | "stopping";
  url: string;
  dataDir: string;
  instances: InstanceStatus[];
  processes: ProcessRow[];
  connectionBudget: string;
}

export interface Stack {
  readonly url: string;
  readonly settings: StackSettings;
  readonly layout: DataLayout;
  readonly admin: AdminCredentials;
  readonly database: DatabaseService;
  readonly redis: RedisService;
  readonly s3: S3Service;
  /** nginx's JSON access log. */
  readonly accessLog: string;
  /** nginx's error log (warnings and up): upstream failures are written here. */
  readonly errorLog: string;
  /** nginx's internal listener, where writers refresh cache entries (NGINX_PURGE_URLS). */
  readonly refreshUrl: string;
  /** Things skipped or worth knowing (a missing worker program, ...). */
  readonly notices: string[];
  status(): StackStatus;
  /** Changes the instance count (budget-checked); nginx is reloaded, removed ones drain. */
  scale(instances: number): Promise<void>;
  /** Restarts every API instance, one at a time, without dropping a request. */
  rollingRestart(onStep?: (id: string) => void): Promise<void>;
  stopInstance(id: string): Promise<void>;
  startInstance(id: string): Promise<void>;
  /** SIGKILL one instance (crash drill). */
  killInstance(id: string): void;
  /** Stops one private storage server cleanly (failure drills; the instances keep running). */
  stopServer(name: StorageServerName): Promise<void>;
  /** Starts it again on the same port and data folder, so every URL stays valid. */
  startServer(name: StorageServerName): Promise<void>;
  /** Stops everything in order; resolves when every process has exited. */
  down(): Promise<void>;
  /** Second Ctrl-C: SIGKILL everything now. */
  kill(): void;
  /** Resolves once the stack has been stopped. */
  readonly stopped: Promise<void>;
}

export class StackAlreadyRunningError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `a stack is already running in ${dataDir} (pid ${pid}); use \`npm run stack -- status\` or \`npm run stack -- down\``,
    );
    this.name = "StackAlreadyRunningError";
  }
}

/** The `up` process's own pid file: a second `up` on the same data folder is refused. */
function claimDataDir(layout: DataLayout): void {
  const file = layout.supervisorPidFile;
  if (fs.existsSync(file)) {
    try {
      const owner = JSON.parse(fs.readFileSync(file, "utf8")) as ProcessIdentity;
      if (owner.pid !== process.pid && isSameProcess(owner)) {
        throw new StackAlreadyRunningError(layout.root, owner.pid);
      }
    } catch (error) {
      if (error instanceof StackAlreadyRunningError) throw error;
    }
  }
  fs.mkdirSync(layout.run, { recursive: true });
  const me = readProcessIdentity(process.pid);
  fs.writeFileSync(file, `${JSON.stringify(me)}\n`);
}

function releaseDataDir(layout: DataLayout): void {
  try {
    const owner = JSON.parse(fs.readFileSync(layout.supervisorPidFile, "utf8")) as ProcessIdentity;
    if (owner.pid === process.pid) fs.rmSync(layout.supervisorPidFile, { force: true });
  } catch {
    /* not ours or gone */
  }
}

/** Reads the running stack's pid (from its pid file), if one is alive. */
export function runningStackPid(dataDir: string): number | undefined {
  try {
    const owner = JSON.parse(
      fs.readFileSync(dataLayout(dataDir).supervisorPidFile, "utf8"),
    ) as ProcessIdentity;
    return isSameProcess(owner) ? owner.pid : undefined;
  } catch {
    return undefined;
  }
}

/** The start was interrupted (Ctrl-C while starting); whatever had started was stopped. */
export class StartInterruptedError extends Error {
  constructor() {
    super("start interrupted; everything started so far was stopped");
    this.name = "StartInterruptedError";
  }
}

export interface StartOptions {
  /** Progress lines for people (the CLI prints them; tests may ignore them). */
  log?: (line: string) => void;
  /** A child that exited on its own. */
  onUnexpectedExit?: (name: string, result: number | string) => void;
  /** Aborting stops the start at its next step, and stops what had started. */
  signal?: AbortSignal;
}

/**
 * Brings the whole stack up: storage (private or external), migrations and seed, the API
 * instances and workers, then nginx in front; resolves once every process is ready. On any
 * failure, whatever was started is stopped again before the error is thrown.
 */
export async function startStack(
  settings: StackSettings,
  options: StartOptions = {},
): Promise<Stack> {
  const log = options.log ?? (() => {});
  const layout = dataLayout(settings.dataDir);
  fs.mkdirSync(layout.root, { recursive: true });
  claimDataDir(layout);
  for (const line of await cleanStalePidFiles(layout.run, ["strata"])) log(line);
  if (settings.reset) {
    log(`--reset: deleting everything in ${layout.root} but run/`);
    for (const entry of fs.readdirSync(layout.root)) {
      if (entry !== "run") fs.rmSync(`${layout.root}/${entry}`, { recursive: true, force: true });
    }
  }
  fs.mkdirSync(layout.logs, { recursive: true });

  const budgetFor = (
    instances: number,
    maxConnections: number,
    limitName?: string,
  ): ConnectionBudget =>
    checkConnectionBudget({
      instances,
      workers: settings.workers,
      poolSize: settings.db.poolSize,
      poolOverflow: settings.db.poolOverflow,
      reserve: settings.db.reserve,
      maxConnections,
      ...(limitName ? { limitName } : {}),
    });
  // The private server's limit is known before it starts: refuse before starting anything.
  if (!settings.db.url && !settings.pgbouncer) {
    const early = budgetFor(settings.instances, settings.db.privateMaxConnections);
    if (!early.ok) {
      releaseDataDir(layout);
      throw new Error(early.message);
    }
  }

  try {
    await checkPublicAddress(settings.host, settings.port);
  } catch (error) {
    releaseDataDir(layout);
    throw error;
  }

  const supervisor = new Supervisor(layout.run, (name, result) => {
    log(`${name} exited unexpectedly (${result})`);
    options.onUnexpectedExit?.(name, result);
  });
  let state: StackStatus["state"] = "busy";
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const notices: string[] = [];

  const checkpoint = () => {
    if (options.signal?.aborted) throw new StartInterruptedError();
  };
  const stopEverything = async () => {
    await supervisor.stopAll((role, names) => log(`stopping ${role}: ${names.join(", ")}`));
    releaseDataDir(layout);
  };

  try {
    log("starting storage: PostgreSQL, Redis, S3");
    const [database, redis, s3, webRoot] = await settleAll([
      provideDatabase(settings, layout, supervisor),
      provideRedis(settings, layout, supervisor),
      provideS3(settings, layout, supervisor),
      // The front end builds (when stale) while the servers start; nginx serves it from disk.
      ensureWebBuild(layout.logs, log),
    ]);
    checkpoint();
    // --pgbouncer: instances and workers go through PgBouncer (transaction mode), so their pools
    // count against its client limit; migrations and the seed below stay on a direct connection.
    const pgbouncer = settings.pgbouncer
      ? await providePgBouncer(database, layout, supervisor, settings.baseEnv, settings.db.reserve)
      : undefined;
    if (pgbouncer) log(pgbouncer.message);
    const clientBudget = (instances: number) =>
      pgbouncer
        ? budgetFor(instances, pgbouncer.maxClientConn, "PgBouncer max_client_conn")
        : budgetFor(instances, database.maxConnections);
    let budget = clientBudget(settings.instances);
    if (!budget.ok) throw new Error(budget.message);
    log(budget.message);

    const admin = adminCredentials(layout.adminCredentials, settings.admin);
    const setup = await setUpDatabase(database.url, {
      products: settings.products,
      admin,
      env: settings.baseEnv,
    });
    if (setup.applied.length > 0) log(`applied migrations: ${setup.applied.join(", ")}`);
    log(
      setup.seeded !== undefined
        ? `seeded ${setup.seeded} products`
        : `catalogue kept: ${setup.existingProducts} products (--reset starts afresh)`,
    );
    log(setup.admin);
    checkpoint();

    const serviceEnv: Record<string, string> = {
      NODE_ENV: settings.nodeEnv,
      DATABASE_URL: pgbouncer?.url ?? database.url,
      REDIS_STATE_URL: redis.stateUrl,
      REDIS_CACHE_URL: redis.cacheUrl,
      DB_POOL_SIZE: String(settings.db.poolSize),
      DB_POOL_OVERFLOW: String(settings.db.poolOverflow),
      ...s3Env(s3),
    };
    const nginx = new NginxService(settings, layout, supervisor, await freePort(), webRoot);
    // Written whole, then renamed: an instance reading it never sees half a list.
    const publishInstanceList = () => {
      const text = fleet.slots.map((s) => `http://127.0.0.1:${s.port}\n`).join("");
      fs.writeFileSync(`${layout.opsInstanceList}.tmp`, text);
      fs.renameSync(`${layout.opsInstanceList}.tmp`, layout.opsInstanceList);
    };
    const fleet: ApiFleet = new ApiFleet({
      settings,
      layout,
      supervisor,
      env: (slot: InstanceSlot): NodeJS.ProcessEnv => ({
        ...settings.baseEnv,
        ...serviceEnv,
        HOST: "127.0.0.1",
        PORT: String(slot.port),
        INSTANCE_ID: slot.id,
        // nginx connects from the loopback address: only it may set X-Forwarded-For.
        TRUSTED_PROXIES: "127.0.0.1",
        DRAIN_DELAY_MS: String(settings.drainDelayMs),
        // The per-instance rate-limit fallback divides the policy by the instance count.
        RATE_LIMIT_EXPECTED_INSTANCES:
          settings.baseEnv.RATE_LIMIT_EXPECTED_INSTANCES ?? String(fleet.slots.length),
        // The operations view gathers every instance's /metrics and reads nginx's log. The
        // list file follows scale; the URLs are what existed at this instance's start.
        OPS_INSTANCE_URLS: fleet.slots.map((s) => `http://127.0.0.1:${s.port}`).join(","),
        OPS_INSTANCE_LIST_FILE: layout.opsInstanceList,
        OPS_NGINX_ACCESS_LOG: nginx.accessLog,
        // Writes refresh nginx cache entries by tag (X-Cache-Refresh on nginx's refresh port).
        NGINX_PURGE_URLS: nginx.refreshUrl,
      }),
    });

    log(`starting ${settings.instances} API instance(s) and ${settings.workers} worker(s)`);
    const workerOptions: WorkerOptions = {
      count: settings.workers,
      layout,
      supervisor,
      env: (id) => ({
        ...settings.baseEnv,
        ...serviceEnv,
        INSTANCE_ID: id,
        NGINX_PURGE_URLS: nginx.refreshUrl,
      }),
      // WORKER_SHUTDOWN_TIMEOUT_MS (25 s by default) for active jobs, then a margin.
      stopTimeoutMs: Number(settings.baseEnv.WORKER_SHUTDOWN_TIMEOUT_MS ?? 25_000) + 5_000,
      readyTimeoutMs: settings.readyTimeoutMs,
    };
    const [, workerNotice] = await settleAll([
      fleet.grow(settings.instances),
      startWorkers(workerOptions),
    ]);
    if (workerNotice) notices.push(workerNotice);
    publishInstanceList();
    checkpoint();
    log("starting nginx");
    await nginx.start(fleet.servers());
    checkpoint();
    state = "ready";

    // Operations run one at a time; `down` interrupts between steps.
    let queue: Promise<unknown> = Promise.resolve();
    const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = queue.then(() => {
        if (state === "stopping") throw new Error("the stack is stopping");
        state = "busy";
        return fn().finally(() => {
          if (state === "busy") state = "ready";
        });
      });
      queue = run.catch(() => {});
      return run;
    };
    let downPromise: Promise<void> | undefined;
    // Only private servers can be started again; external ones are not the stack's to stop.
    const restarterOf = (name: StorageServerName): (() => Promise<void>) => {
      const again = name === "postgres" ? database.startAgain : redis.startAgain?.bind(redis, name);
      if (!again) throw new Error(`${name} is an external server, not started by the stack`);
      return again;
    };

    const stack: Stack = {
      url: nginx.url,
      settings,
      layout,
      admin,
      database,
      redis,
      s3,
      accessLog: nginx.accessLog,
      errorLog: nginx.errorLog,
      refreshUrl: nginx.refreshUrl,
      notices,
      stopped,
      status: () => ({
        state,
        url: nginx.url,
        dataDir: layout.root,
        instances: fleet.servers().map((s) => ({
          id: s.name,
          address: s.address,
          weight: s.weight,
          backup: s.backup,
          running: supervisor.isRunning(s.name),
        })),
        processes: supervisor.rows(),
        connectionBudget: budget.message,
      }),
      scale: (instances) =>
        exclusive(async () => {
          const next = clientBudget(instances);
          if (!next.ok) throw new Error(next.message);
          const current = fleet.slots.length;
          if (instances > current) {
            log(`scaling up: ${current} → ${instances} instances`);
            await fleet.grow(instances);
            publishInstanceList();
            await nginx.update(fleet.servers());
          } else if (instances < current) {
            log(`scaling down: ${current} → ${instances} instances`);
            const removed = fleet.detach(instances);
            publishInstanceList();
            // nginx forgets them first; then they drain, so nothing new reaches them.
            await nginx.update(fleet.servers());
            await Promise.all(removed.map((slot) => supervisor.stop(slot.id)));
          }
          budget = next;
        }),
      rollingRestart: (onStep) =>
        exclusive(async () => {
          await fleet.rollingRestart(
            (servers) => nginx.update(servers),
            (id) => {
              if (state === "stopping") throw new Error("the stack is stopping");
              log(`restarting ${id}`);
              onStep?.(id);
            },
          );
          // A crashed worker comes back too (running ones keep their jobs): "exited" in
          // status is otherwise only cured by down and up, with its queues unserved meanwhile.
          if (state === "stopping") throw new Error("the stack is stopping");
          const started = await restartExitedWorkers(workerOptions);
          if (started.length > 0) log(`started again: ${started.join(", ")}`);
        }),
      stopInstance: (id) => exclusive(() => fleet.stop(id)),
      startInstance: (id) => exclusive(() => fleet.start(id)),
      killInstance: (id) => fleet.kill(id),
      stopServer: (name) =>
        exclusive(async () => {
          restarterOf(name);
          await supervisor.stop(name);
        }),
      startServer: (name) =>
        exclusive(async () => {
          if (!supervisor.isRunning(name)) await restarterOf(name)();
        }),
      down: () => {
        downPromise ??= (async () => {
          state = "stopping";
          await stopEverything();
          resolveStopped();
        })();
        return downPromise;
      },
      kill: () => supervisor.killAll(),
    };
    return stack;
  } catch (error) {
    state = "stopping";
    await stopEverything();
    resolveStopped();
    throw error;
  }
}
