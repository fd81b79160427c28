import path from "node:path";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { Job } from "kubernetes-models/batch/v1/Job";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication";
import { readEnvFile } from "./env-file.ts";
import { containersOf, type K8sObject } from "./kustomize.ts";
import { deployDir } from "./paths.ts";

export const k8sDir = path.join(deployDir, "k8s");

type Validatable = new (data: never) => { validate(): void };

/**
 * The Kubernetes (1.27 OpenAPI, kubernetes-models) and KEDA schemas of every kind deploy/k8s
 * uses. A kind without an entry fails the test: add its model before using it.
 */
export const SCHEMAS: Record<string, Validatable> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "batch/v1/Job": Job,
  "networking.k8s.io/v1/Ingress": Ingress,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": TriggerAuthentication,
};

/** Throws with the schema's own message when `object` does not match its kind's schema. */
export function validateObject(object: K8sObject): void {
  const Model = SCHEMAS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(structuredClone(object) as never).validate();
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

/** The Secrets created out of band, with the keys their example files list. */
export const SECRET_EXAMPLES: Record<string, string> = {
  "strata-secrets": path.join(k8sDir, "base", "secrets.env.example"),
  "strata-keda-redis": path.join(k8sDir, "base", "keda-redis.env.example"),
};

export function secretExample(name: string): Record<string, string> {
  const file = SECRET_EXAMPLES[name];
  if (!file) throw new Error(`Secret ${name} has no example file`);
  return readEnvFile(file);
}

/**
 * A container's environment as the kubelet would build it: envFrom ConfigMaps and Secrets,
 * then `env` (values, configMapKeyRef, secretKeyRef from the example Secrets, fieldRef
 * metadata.name as a sample pod name). A missing ConfigMap or a missing non-optional key
 * throws, as the pod would not start; a name set by two envFrom sources throws too, since
 * which one wins is easy to get wrong.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- containers are read loosely
export function containerEnv(objects: K8sObject[], container: any): Record<string, string> {
  const env: Record<string, string> = {};
  const configMap = (name: string) => find(objects, "ConfigMap", name).data ?? {};
  for (const source of container.envFrom ?? []) {
    const values = source.configMapRef
      ? configMap(source.configMapRef.name)
      : secretExample(source.secretRef.name);
    for (const [key, value] of Object.entries(values)) {
      if (key in env) throw new Error(`${container.name}: ${key} comes from two envFrom sources`);
      env[key] = value;
    }
  }
  for (const entry of container.env ?? []) {
    const from = entry.valueFrom;
    let value: string | undefined;
    if (!from) value = String(entry.value ?? "");
    else if (from.fieldRef)
      value = from.fieldRef.fieldPath === "metadata.name" ? "strata-api-5f7c9d-x2k4q" : "";
    else if (from.configMapKeyRef)
      value = configMap(from.configMapKeyRef.name)[from.configMapKeyRef.key];
    else if (from.secretKeyRef)
      value = secretExample(from.secretKeyRef.name)[from.secretKeyRef.key];
    const ref = from?.configMapKeyRef ?? from?.secretKeyRef;
    if (value === undefined && !ref?.optional) {
      throw new Error(
        `${container.name}: ${entry.name} refers to ${ref?.name}/${ref?.key}, which is missing`,
      );
    }
    if (value !== undefined) env[entry.name] = value;
  }
  return env;
}

export function containerNamed(object: K8sObject, name: string) {
  const container = containersOf(object).find((c) => c.name === name);
  if (!container) throw new Error(`${object.metadata.name} has no container ${name}`);
  return container;
}

/** Seconds of an `exec: sleep N` preStop hook (0 without one). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- containers are read loosely
export function preStopSleepSeconds(container: any): number {
  const command: string[] | undefined = container.lifecycle?.preStop?.exec?.command;
  if (!command) return 0;
  if (command[0] !== "sleep" || command.length !== 2)
    throw new Error(`preStop is not a sleep: ${command}`);
  return Number(command[1]);
}

/** Labels of a workload's pods. */
export function podLabels(object: K8sObject): Record<string, string> {
  return object.spec?.template?.metadata?.labels ?? {};
}

export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
