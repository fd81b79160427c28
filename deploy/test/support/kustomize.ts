import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { readEnvFile } from "./env-file.ts";
import { readYaml, readYamlDocuments } from "./yaml-files.ts";

/** A Kubernetes object as the tests read it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are checked field by field
  spec?: any;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * The part of Kustomize that deploy/k8s uses, so the tests check what `kubectl apply -k`
 * would apply without a kubectl here: resources (files and folders), namespace, images,
 * configMapGenerator (envs, files, literals; behavior merge) and JSON 6902 patches with a
 * target. Any other field is refused, so a kustomization never uses a feature this renderer
 * would silently skip. Generated names get no content hash here; references are by name.
 */
export function renderKustomization(dir: string): K8sObject[] {
  const file = path.join(dir, "kustomization.yaml");
  const k = readYaml(file) as Record<string, unknown>;
  const known = [
    "apiVersion",
    "kind",
    "namespace",
    "resources",
    "images",
    "configMapGenerator",
    "patches",
  ];
  for (const key of Object.keys(k)) {
    if (!known.includes(key))
      throw new Error(`${file}: "${key}" is not supported by the test renderer`);
  }
  const objects: K8sObject[] = [];
  for (const resource of (k.resources as string[] | undefined) ?? []) {
    const target = path.resolve(dir, resource);
    if (fs.statSync(target).isDirectory()) objects.push(...renderKustomization(target));
    else objects.push(...(readYamlDocuments(target) as K8sObject[]));
  }
  for (const generator of (k.configMapGenerator as Generator[] | undefined) ?? []) {
    generate(dir, generator, objects);
  }
  for (const patch of (k.patches as Patch[] | undefined) ?? []) applyPatch(file, patch, objects);
  for (const image of (k.images as ImageOverride[] | undefined) ?? []) setImage(image, objects);
  if (typeof k.namespace === "string") {
    for (const object of objects) object.metadata.namespace = k.namespace;
  }
  return objects;
}

interface Generator {
  name: string;
  behavior?: "create" | "merge" | "replace";
  envs?: string[];
  files?: string[];
  literals?: string[];
}

function generate(dir: string, g: Generator, objects: K8sObject[]): void {
  const data: Record<string, string> = {};
  for (const envFile of g.envs ?? []) Object.assign(data, readEnvFile(path.join(dir, envFile)));
  for (const f of g.files ?? [])
    data[path.basename(f)] = fs.readFileSync(path.join(dir, f), "utf8");
  for (const literal of g.literals ?? []) {
    const at = literal.indexOf("=");
    data[literal.slice(0, at)] = literal.slice(at + 1);
  }
  const existing = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === g.name);
  if ((g.behavior ?? "create") === "create") {
    if (existing) throw new Error(`ConfigMap ${g.name} is generated twice`);
    objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: g.name }, data });
    return;
  }
  if (!existing) throw new Error(`ConfigMap ${g.name}: behavior ${g.behavior} needs a base`);
  existing.data = g.behavior === "merge" ? { ...existing.data, ...data } : data;
}

interface ImageOverride {
  name: string;
  newName?: string;
  newTag?: string;
}

function setImage(image: ImageOverride, objects: K8sObject[]): void {
  for (const container of objects.flatMap(containersOf)) {
    const name = (container.image as string).replace(/[:@].*$/, "");
    if (name !== image.name) continue;
    container.image = `${image.newName ?? name}${image.newTag ? `:${image.newTag}` : ""}`;
  }
}

/** Every container and init container of a workload's pod template. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- containers are read loosely
export function containersOf(object: K8sObject): any[] {
  const pod = object.spec?.template?.spec ?? object.spec?.jobTemplate?.spec?.template?.spec;
  return pod ? [...(pod.initContainers ?? []), ...(pod.containers ?? [])] : [];
}

interface Patch {
  target: { kind?: string; name?: string };
  patch: string;
}

interface Operation {
  op: "add" | "replace" | "remove" | "test";
  path: string;
  value?: unknown;
}

function applyPatch(file: string, p: Patch, objects: K8sObject[]): void {
  const operations = parse(p.patch) as Operation[];
  if (!Array.isArray(operations)) throw new Error(`${file}: only JSON 6902 patches are supported`);
  const targets = objects.filter(
    (o) =>
      (p.target.kind === undefined || o.kind === p.target.kind) &&
      (p.target.name === undefined || o.metadata.name === p.target.name),
  );
  if (targets.length === 0)
    throw new Error(`${file}: patch target ${JSON.stringify(p.target)} matches nothing`);
  for (const object of targets) for (const op of operations) applyOperation(object, op);
}

/** RFC 6902 add, replace, remove and test on one object; a missing path is an error. */
function applyOperation(root: unknown, op: Operation): void {
  const keys = op.path
    .split("/")
    .slice(1)
    .map((k) => k.replaceAll("~1", "/").replaceAll("~0", "~"));
  const last = keys.pop();
  if (last === undefined) throw new Error(`bad patch path ${op.path}`);
  let parent = root as Record<string, unknown>;
  for (const key of keys) {
    const next = parent[key];
    if (next === null || typeof next !== "object")
      throw new Error(`patch path ${op.path} does not exist`);
    parent = next as Record<string, unknown>;
  }
  const exists = Array.isArray(parent) ? Number(last) < parent.length : last in parent;
  if (op.op !== "add" && !exists) throw new Error(`patch path ${op.path} does not exist`);
  if (op.op === "test") {
    if (JSON.stringify(parent[last]) !== JSON.stringify(op.value))
      throw new Error(`test failed at ${op.path}`);
  } else if (op.op === "remove") {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (Array.isArray(parent) && op.op === "add") {
    parent.splice(last === "-" ? parent.length : Number(last), 0, op.value);
  } else {
    parent[last] = op.value;
  }
}
