import path from "node:path";

/** Where everything lives inside the data folder; one place, so cleanup and docs agree. */
export interface DataLayout {
  root: string;
  /** Pid files of every process we started, the control socket. */
  run: string;
  logs: string;
  postgres: string;
  /** `--pgbouncer`: its generated pgbouncer.ini, auth file and log. */
  pgbouncer: string;
  redisState: string;
  redisCache: string;
  s3: string;
  nginx: string;
  nginxTemp: string;
  nginxConf: string;
  adminCredentials: string;
  controlSocket: string;
  /** The instances' base URLs, one per line (OPS_INSTANCE_LIST_FILE), kept current by scale. */
  opsInstanceList: string;
  /** Pid file of the foreground `up` process itself. */
  supervisorPidFile: string;
}

export function dataLayout(dataDir: string): DataLayout {
  const root = path.resolve(dataDir);
  const run = path.join(root, "run");
  const nginx = path.join(root, "nginx");
  return {
    root,
    run,
    logs: path.join(root, "logs"),
    postgres: path.join(root, "postgres"),
    pgbouncer: path.join(root, "pgbouncer"),
    redisState: path.join(root, "redis-state"),
    redisCache: path.join(root, "redis-cache"),
    s3: path.join(root, "s3"),
    nginx,
    nginxTemp: path.join(nginx, "temp"),
    nginxConf: path.join(nginx, "strata.conf"),
    adminCredentials: path.join(root, "admin-credentials.json"),
    controlSocket: path.join(run, "control.sock"),
    opsInstanceList: path.join(run, "instances.txt"),
    supervisorPidFile: path.join(run, "strata.pid"),
  };
}
