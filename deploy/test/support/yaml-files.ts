import fs from "node:fs";
import { parseAllDocuments, parseDocument } from "yaml";

/** Parses one YAML file strictly (duplicate keys and syntax errors throw), merge keys on. */
export function readYaml(file: string): unknown {
  const doc = parseDocument(fs.readFileSync(file, "utf8"), { merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message)}`);
  return doc.toJS({ maxAliasCount: 100 });
}

/** Every document of a multi-document YAML file (Kubernetes manifests), empty ones dropped. */
export function readYamlDocuments(file: string): unknown[] {
  const docs = parseAllDocuments(fs.readFileSync(file, "utf8"), { uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const values: unknown[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message)}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}
