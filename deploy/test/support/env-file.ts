import fs from "node:fs";

/**
 * Reads a KEY=VALUE file the way Compose's --env-file and `kubectl create secret
 * --from-env-file` / Kustomize's `envs:` do for the simple files we keep: one assignment per
 * line, `#` comments and blank lines ignored, no quotes and no expansion. Anything else is
 * an error, so a file these tools would read differently cannot slip through.
 */
export function readEnvFile(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [index, raw] of fs.readFileSync(file, "utf8").split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`${file}:${index + 1}: not KEY=VALUE: ${line}`);
    const [, key, value] = match as unknown as [string, string, string];
    if (/^["']/.test(value))
      throw new Error(`${file}:${index + 1}: quoted values read differently`);
    if (key in values) throw new Error(`${file}:${index + 1}: ${key} is set twice`);
    values[key] = value;
  }
  return values;
}
