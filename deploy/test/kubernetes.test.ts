import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { cacheVars, uploadRequestLimit, variables } from "@strata/config";
import { createProducers, QUEUE_PREFIX, QueueName } from "@strata/queue";
import { startTestRedis } from "../../test/support/redis.ts";
import { containersOf, renderKustomization, type K8sObject } from "./support/kustomize.ts";
import {
  containerEnv,
  containerNamed,
  find,
  k8sDir,
  podLabels,
  preStopSleepSeconds,
  secretExample,
  selects,
  validateObject,
} from "./support/k8s.ts";
import { checkPgBouncerBudget } from "./support/pgbouncer-budget.ts";
import { entrypointVariables } from "./support/pgbouncer-entrypoint.ts";
import { fromRoot } from "./support/paths.ts";
import { readYaml } from "./support/yaml-files.ts";
import {
  PROCESSES,
  requiredVariables,
  unknownVariables,
  withRealSecrets,
  type ProcessName,
} from "./support/strata-processes.ts";

const OVERLAYS = ["staging", "production"];

/** The variable's value in a process's environment, or the schema's default. */
function setting(env: Record<string, string>, name: string): number {
  const group = Object.values(variables).find((g) => name in g) as
    Record<string, { parse(v: unknown): unknown }> | undefined;
  if (!group) throw new Error(`${name} is not in the configuration schema`);
  return Number(env[name] ?? group[name]!.parse(undefined));
}

/** Which strata process each container runs, by workload and container name. */
const STRATA_CONTAINERS: [kind: string, name: string, container: string, role: ProcessName][] = [
  ["Deployment", "strata-api", "api", "api"],
  ["Deployment", "strata-worker", "worker", "worker"],
  ["Job", "strata-migrate", "migrate", "migrate"],
];

describe("Kubernetes (deploy/k8s)", () => {
  for (const overlay of OVERLAYS) {
    describe(`overlays/${overlay}`, () => {
      const dir = path.join(k8sDir, "overlays", overlay);
      const app = renderKustomization(dir);
      const migration = renderKustomization(path.join(dir, "migrate"));
      const objects: K8sObject[] = [...app, ...migration];
      const namespace = (readYaml(path.join(dir, "kustomization.yaml")) as { namespace: string })
        .namespace;
      const get = (kind: string, name: string) => find(objects, kind, name);
      const envOf = (kind: string, name: string, container: string) =>
        containerEnv(objects, containerNamed(get(kind, name), container));
      const apiEnv = () => envOf("Deployment", "strata-api", "api");
      const workerEnv = () => envOf("Deployment", "strata-worker", "worker");

      it("renders objects that all match their Kubernetes or KEDA schema", () => {
        expect(objects.length).toBeGreaterThan(10);
        for (const object of objects) {
          expect(
            () => validateObject(object),
            `${object.kind} ${object.metadata.name}`,
          ).not.toThrow();
        }
      });

      it("puts everything in the overlay's namespace, under unique names", () => {
        for (const object of objects) expect(object.metadata.namespace).toBe(namespace);
        const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
        expect(new Set(ids).size).toBe(ids.length);
      });

      it("runs tagged images, and the migration Job the API's very image", () => {
        for (const container of objects.flatMap(containersOf)) {
          expect(container.image, container.name).toMatch(/^[a-z0-9.-]+\/.+:[A-Za-z0-9._-]+$/);
        }
        expect(containerNamed(get("Job", "strata-migrate"), "migrate").image).toBe(
          containerNamed(get("Deployment", "strata-api"), "api").image,
        );
      });

      for (const [kind, name, container, role] of STRATA_CONTAINERS) {
        describe(`${name} (${role})`, () => {
          it("sets only variables its process reads, and every required one", () => {
            const env = envOf(kind, name, container);
            expect(unknownVariables(role, env)).toEqual([]);
            for (const required of requiredVariables(role)) {
              expect(env[required], required).toBeTruthy();
            }
          });

          it("loads with real secrets, and refuses the example Secret's placeholders", () => {
            const env = envOf(kind, name, container);
            expect(() => PROCESSES[role].load(withRealSecrets(env))).not.toThrow();
            expect(() => PROCESSES[role].load(env)).toThrow(/placeholder/);
          });
        });
      }

      it("sends the API and worker through PgBouncer and the migration straight to PostgreSQL", () => {
        for (const env of [apiEnv(), workerEnv()]) {
          const url = new URL(env.DATABASE_URL!);
          expect(url.host).toBe(`${get("Service", "strata-pgbouncer").metadata.name}:6432`);
          expect(url.searchParams.get("pgbouncer")).toBe("true");
        }
        const direct = new URL(envOf("Job", "strata-migrate", "migrate").DATABASE_URL!);
        expect(direct.searchParams.get("pgbouncer")).toBeNull();
        expect(direct.hostname).not.toBe(get("Service", "strata-pgbouncer").metadata.name);
        const job = get("Job", "strata-migrate");
        const command: string[] = containerNamed(job, "migrate").command;
        expect(fs.existsSync(fromRoot(command.at(-1)!)), command.join(" ")).toBe(true);
        expect(job.metadata.annotations?.["argocd.argoproj.io/hook"]).toBe("PreSync");
      });

      it("lets the worker invalidate the same cache tiers as the API (CDN settings and token)", () => {
        const api = apiEnv();
        const worker = workerEnv();
        for (const name of Object.keys(cacheVars)) {
          expect(worker[name], name).toBe(api[name]);
        }
      });

      it("gives PgBouncer the variables its entrypoint reads, and the API's statement timeout", () => {
        const env = envOf("Deployment", "strata-pgbouncer", "pgbouncer");
        const { known, required } = entrypointVariables();
        expect(Object.keys(env).filter((n) => !known.includes(n))).toEqual([]);
        for (const name of required) expect(env[name], name).toBeTruthy();
        expect(env.DB_STATEMENT_TIMEOUT_MS).toBe(
          String(setting(apiEnv(), "DB_STATEMENT_TIMEOUT_MS")),
        );
        expect(env.PGBOUNCER_DB_USER).toBe(new URL(apiEnv().DATABASE_URL!).username);
      });

      it("probes /ready for readiness and /health for liveness, on the port the process listens on", () => {
        const check = (name: string, container: string, port: number) => {
          const c = containerNamed(get("Deployment", name), container);
          const http = c.ports.find((p: { name: string }) => p.name === "http");
          expect(http.containerPort, name).toBe(port);
          expect(c.readinessProbe.httpGet).toEqual({ path: "/ready", port: "http" });
          expect(c.livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
          expect(c.startupProbe.httpGet).toEqual({ path: "/health", port: "http" });
        };
        check("strata-api", "api", setting(apiEnv(), "PORT"));
        check("strata-worker", "worker", setting(workerEnv(), "WORKER_PORT"));
        // Metrics are scraped where the process serves them.
        const annotations = get("Deployment", "strata-api").spec.template.metadata.annotations;
        expect(annotations["prometheus.io/port"]).toBe(String(setting(apiEnv(), "PORT")));
        expect(annotations["prometheus.io/path"]).toBe("/metrics");
      });

      it("waits out preStop, the drain delay and the shutdown bound before killing a pod", () => {
        const api = get("Deployment", "strata-api");
        const needed =
          preStopSleepSeconds(containerNamed(api, "api")) * 1000 +
          setting(apiEnv(), "DRAIN_DELAY_MS") +
          setting(apiEnv(), "SHUTDOWN_TIMEOUT_MS");
        // A margin of 5 s for the pool and Redis to close after the last request.
        expect(api.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(
          needed + 5_000,
        );
        expect(preStopSleepSeconds(containerNamed(api, "api"))).toBeGreaterThan(0);
        const worker = get("Deployment", "strata-worker");
        // The worker hands an active job back within 5 s after WORKER_SHUTDOWN_TIMEOUT_MS.
        expect(worker.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
          setting(workerEnv(), "WORKER_SHUTDOWN_TIMEOUT_MS") + 5_000,
        );
        // Rollouts never lower capacity.
        for (const name of ["strata-api", "strata-worker", "strata-pgbouncer", "strata-web"]) {
          expect(get("Deployment", name).spec.strategy.rollingUpdate.maxUnavailable, name).toBe(0);
        }
      });

      it("sets requests and limits on every container", () => {
        for (const container of objects.flatMap(containersOf)) {
          const r = container.resources ?? {};
          for (const k of ["cpu", "memory"]) {
            expect(r.requests?.[k], `${container.name} requests.${k}`).toBeDefined();
            expect(r.limits?.[k], `${container.name} limits.${k}`).toBeDefined();
          }
          expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
        }
      });

      it("wires Services, budgets and autoscalers to the pods they are meant for", () => {
        for (const service of objects.filter((o) => o.kind === "Service")) {
          const pods = objects.filter(
            (o) => o.kind === "Deployment" && selects(service.spec.selector, podLabels(o)),
          );
          expect(pods.length, service.metadata.name).toBe(1);
          const names = containersOf(pods[0]!).flatMap((c) =>
            c.ports.map((p: { name: string }) => p.name),
          );
          for (const port of service.spec.ports) expect(names).toContain(port.targetPort);
        }
        for (const pdb of objects.filter((o) => o.kind === "PodDisruptionBudget")) {
          const pods = objects.filter(
            (o) => o.kind === "Deployment" && selects(pdb.spec.selector.matchLabels, podLabels(o)),
          );
          expect(pods.map((o) => o.metadata.name)).toEqual([pdb.metadata.name]);
        }
        const hpa = get("HorizontalPodAutoscaler", "strata-api");
        expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name: "strata-api" });
        expect(hpa.spec.metrics[0].resource.name).toBe("cpu");
        expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
        const scaled = get("ScaledObject", "strata-worker");
        expect(scaled.spec.scaleTargetRef.name).toBe("strata-worker");
        for (const trigger of scaled.spec.triggers) {
          const auth = get("TriggerAuthentication", trigger.authenticationRef.name);
          for (const ref of auth.spec.secretTargetRef) {
            expect(secretExample(ref.name)[ref.key], `${ref.name}/${ref.key}`).toBeDefined();
          }
        }
      });

      it("routes the Ingress to Services that exist, with the API's body limits per path", () => {
        const api = apiEnv();
        const ingresses = objects.filter((o) => o.kind === "Ingress");
        const limitFor = (p: string) => {
          if (p === "/api/products/[0-9]+/images$")
            return uploadRequestLimit(setting(api, "UPLOAD_LIMIT_BYTES"));
          if (p === "/api/imports") return uploadRequestLimit(setting(api, "IMPORT_LIMIT_BYTES"));
          return setting(api, "BODY_LIMIT_BYTES");
        };
        const paths: string[] = [];
        for (const ingress of ingresses) {
          expect(ingress.spec.ingressClassName).toBe("nginx");
          const a = ingress.metadata.annotations ?? {};
          for (const rule of ingress.spec.rules) {
            for (const p of rule.http.paths) {
              paths.push(p.path);
              const service = get("Service", p.backend.service.name);
              expect(service.spec.ports.map((x: { name: string }) => x.name)).toContain(
                p.backend.service.port.name,
              );
              if (p.backend.service.name !== "strata-api") continue;
              expect(a["nginx.ingress.kubernetes.io/proxy-body-size"], p.path).toBe(
                String(limitFor(p.path)),
              );
              expect(a["nginx.ingress.kubernetes.io/load-balance"]).toBe("ewma");
              // The API answers its own request timeout before the proxy gives up.
              expect(
                Number(a["nginx.ingress.kubernetes.io/proxy-read-timeout"]) * 1000,
              ).toBeGreaterThan(setting(api, "REQUEST_TIMEOUT_MS"));
              const retries = a["nginx.ingress.kubernetes.io/proxy-next-upstream"] ?? "";
              expect(retries).not.toContain("non_idempotent");
              expect(retries.split(" ")).toEqual([
                "error",
                "timeout",
                "http_502",
                "http_503",
                "http_504",
              ]);
            }
          }
        }
        // The upload path is the API's own route pattern, and imports stream (no buffering).
        expect(
          new RegExp(`^${"/api/products/[0-9]+/images$"}`).test("/api/products/42/images"),
        ).toBe(true);
        expect(
          get("Ingress", "strata-api-imports").metadata.annotations![
            "nginx.ingress.kubernetes.io/proxy-request-buffering"
          ],
        ).toBe("off");
        expect(paths.sort()).toEqual(["/", "/api", "/api/imports", "/api/products/[0-9]+/images$"]);
      });

      it("trusts X-Forwarded-For only from addresses that only the ingress controller can use", () => {
        const trusted = apiEnv().TRUSTED_PROXIES ?? "";
        expect(trusted).not.toBe("");
        expect(trusted.split(",")).not.toContain("0.0.0.0/0");
        const policy = get("NetworkPolicy", "strata-api");
        expect(
          selects(policy.spec.podSelector.matchLabels, podLabels(get("Deployment", "strata-api"))),
        ).toBe(true);
        const sources = policy.spec.ingress.flatMap((rule: { from: unknown[] }) => rule.from);
        const namespaces = sources.map(
          (s: { namespaceSelector?: { matchLabels: Record<string, string> } }) =>
            s.namespaceSelector?.matchLabels["kubernetes.io/metadata.name"],
        );
        expect(namespaces.filter(Boolean).sort()).toEqual(["ingress-nginx", "monitoring"]);
        // The one rule without a namespace (so this namespace only) admits the API's own pods.
        const local = sources.filter((s: { namespaceSelector?: unknown }) => !s.namespaceSelector);
        expect(local).toHaveLength(1);
        expect(
          selects(local[0].podSelector.matchLabels, podLabels(get("Deployment", "strata-api"))),
        ).toBe(true);
        expect(local[0].podSelector.matchLabels["app.kubernetes.io/component"]).toBe("api");
      });

      it("shows every API pod in the operations view, through a headless Service", () => {
        const pods = get("Service", "strata-api-pods");
        expect(pods.spec.clusterIP).toBe("None");
        expect(pods.spec.publishNotReadyAddresses).toBe(true);
        expect(selects(pods.spec.selector, podLabels(get("Deployment", "strata-api")))).toBe(true);
        const url = new URL(apiEnv().OPS_INSTANCE_URLS ?? "");
        expect(url.hostname).toBe("strata-api-pods");
        expect(Number(url.port)).toBe(
          pods.spec.ports.find((p: { name: string }) => p.name === "http").port,
        );
      });

      it("fits every pool, at every autoscaler's maximum, within PgBouncer's and PostgreSQL's limits", () => {
        const pool = (env: Record<string, string>) =>
          setting(env, "DB_POOL_SIZE") + setting(env, "DB_POOL_OVERFLOW");
        const pgbouncer = get("ConfigMap", "strata-pgbouncer").data!;
        const deployment = get("Deployment", "strata-pgbouncer");
        const problems = checkPgBouncerBudget({
          clients: [
            {
              name: "api",
              processes: get("HorizontalPodAutoscaler", "strata-api").spec.maxReplicas,
              // + the readiness probe's own connection.
              perProcess: pool(apiEnv()) + 1,
            },
            {
              name: "worker",
              processes: get("ScaledObject", "strata-worker").spec.maxReplicaCount,
              perProcess: pool(workerEnv()),
            },
          ],
          pgbouncer: {
            replicas: deployment.spec.replicas,
            maxClientConn: Number(pgbouncer.PGBOUNCER_MAX_CLIENT_CONN),
            defaultPoolSize: Number(pgbouncer.PGBOUNCER_DEFAULT_POOL_SIZE),
            reservePoolSize: Number(pgbouncer.PGBOUNCER_RESERVE_POOL_SIZE),
            maxDbConnections: Number(pgbouncer.PGBOUNCER_MAX_DB_CONNECTIONS),
          },
          postgres: {
            maxConnections: Number(
              deployment.metadata.annotations!["strata.example.com/postgres-max-connections"],
            ),
            // The migration Job, the admin's psql, monitoring.
            direct: 5,
            superuserReserved: 3,
          },
        });
        expect(problems).toEqual([]);
      });
    });
  }

  describe("the worker autoscaler's queue lists", () => {
    let redis: Awaited<ReturnType<typeof startTestRedis>>;
    beforeAll(async () => {
      redis = await startTestRedis();
    });
    afterAll(() => redis.stop());

    it("are where BullMQ keeps the waiting jobs of the thumbnail and import queues", async () => {
      const base = renderKustomization(path.join(k8sDir, "base"));
      const lists = find(base, "ScaledObject", "strata-worker").spec.triggers.map(
        (t: { metadata: { listName: string } }) => t.metadata.listName,
      );
      expect(lists).toEqual([
        `${QUEUE_PREFIX}:${QueueName.thumbnails}:wait`,
        `${QUEUE_PREFIX}:${QueueName.imports}:wait`,
      ]);
      // And a real enqueue lands there.
      const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      const producers = createProducers(client, () => {});
      try {
        await producers.enqueueThumbnail({
          imageId: 1,
          productId: 1,
          objectKey: `images/${"a".repeat(64)}`,
        });
        await producers.enqueueImport({
          importId: "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
          objectKey: "imports/3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f.csv",
          fileName: "products.csv",
          byteSize: 10,
          requestedBy: 1,
        });
        for (const list of lists) expect(await client.llen(list), list).toBe(1);
      } finally {
        await producers.close();
        client.disconnect();
      }
    });
  });

  it("configures the ingress controller's keep-alive and forwarded headers as the brief's nginx", () => {
    const config = readYaml(
      path.join(k8sDir, "ingress-nginx", "controller-configmap.yaml"),
    ) as K8sObject;
    const data = config.data!;
    const api = renderKustomization(path.join(k8sDir, "overlays", "production"));
    const env = containerEnv(api, containerNamed(find(api, "Deployment", "strata-api"), "api"));
    const keepAlive = Number(data["upstream-keepalive-timeout"]) * 1000;
    // The controller closes idle upstream sockets before the API would (no reuse race) ...
    expect(keepAlive).toBeLessThan(setting(env, "KEEP_ALIVE_TIMEOUT_MS"));
    // ... and, even for a pod it still holds a socket to, before that pod finishes draining.
    const pod = containerNamed(find(api, "Deployment", "strata-api"), "api");
    expect(keepAlive).toBeLessThan(
      preStopSleepSeconds(pod) * 1000 + setting(env, "DRAIN_DELAY_MS"),
    );
    expect(Number(data["upstream-keepalive-connections"])).toBeGreaterThan(0);
    expect(data["use-forwarded-headers"]).toBe("false");
    expect(data["compute-full-forwarded-for"]).toBe("false");
    expect(data["load-balance"]).toBe("ewma");
    expect(() => validateObject(config)).not.toThrow();
  });
});
