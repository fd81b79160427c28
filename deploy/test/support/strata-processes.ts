import crypto from "node:crypto";
import {
  apiVariables,
  databaseToolVariables,
  isPlaceholderSecret,
  loadApiConfig,
  loadDatabaseToolConfig,
  loadWorkerConfig,
  workerVariables,
} from "@strata/config";

/** The strata processes a container can run, each with its variables and its loader. */
export const PROCESSES = {
  api: { variables: apiVariables, load: loadApiConfig },
  worker: { variables: workerVariables, load: loadWorkerConfig },
  migrate: { variables: databaseToolVariables, load: loadDatabaseToolConfig },
} as const;

export type ProcessName = keyof typeof PROCESSES;

/** Variables of `process` that have no default and must be set. */
export function requiredVariables(process: ProcessName): string[] {
  return Object.entries(PROCESSES[process].variables)
    .filter(([, schema]) => schema.safeParse(undefined).success === false)
    .map(([name]) => name);
}

/** Names in `env` that `process` does not read: a typo, or a variable in the wrong place. */
export function unknownVariables(process: ProcessName, env: Record<string, string>): string[] {
  const known = new Set(Object.keys(PROCESSES[process].variables));
  return Object.keys(env).filter((name) => !known.has(name));
}

const SECRET_NAME = /(PASSWORD|SECRET|_KEY|_TOKEN|_KEY_ID)$/;

/**
 * The example files hold placeholders ("change-me"), which production refuses. To check that
 * the rest of a configuration loads, each placeholder secret (a *_PASSWORD/_SECRET/_KEY/_TOKEN
 * value, or a password inside a URL) is replaced by a random strong one, as an operator would.
 */
export function withRealSecrets(env: Record<string, string>): Record<string, string> {
  const strong = () => crypto.randomBytes(18).toString("base64url");
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (SECRET_NAME.test(name) && isPlaceholderSecret(value)) {
      out[name] = strong();
    } else if (/^(postgres|postgresql|redis|rediss):/.test(value)) {
      const url = new URL(value);
      if (url.password && isPlaceholderSecret(decodeURIComponent(url.password))) {
        url.password = strong();
      }
      out[name] = url.toString();
    } else {
      out[name] = value;
    }
  }
  return out;
}
