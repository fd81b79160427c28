import { z } from "zod";
import { isPlaceholderSecret, urlPassword } from "./secrets.ts";

/** Thrown when the environment is invalid; its message names every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Shape = Record<string, z.ZodType>;

/**
 * Validates `env` against the variables in `shape`, collecting every problem, and refuses
 * placeholder secrets outside development. `check` adds cross-variable rules.
 */
export function parseEnv<S extends Shape>(
  shape: S,
  env: NodeJS.ProcessEnv,
  check?: (values: z.infer<z.ZodObject<S>>, problems: string[]) => void,
): z.infer<z.ZodObject<S>> {
  // Empty strings mean "unset", as in most .env tooling.
  const input = Object.fromEntries(
    Object.keys(shape)
      .map((k) => [k, env[k]] as const)
      .filter(([, v]) => v !== undefined && v !== ""),
  );
  const result = z.object(shape).safeParse(input);
  const problems: string[] = result.success
    ? []
    : result.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? "environment");
        const missing = issue.code === "invalid_type" && input[name] === undefined;
        return `${name} ${missing ? "is required" : issue.message}`;
      });
  // Secrets are checked on the raw strings so that one message lists every problem.
  const mode = typeof input.NODE_ENV === "string" ? input.NODE_ENV : "development";
  if (mode !== "development") problems.push(...placeholderProblems(input));
  if (result.success) check?.(result.data, problems);
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  const values = result.data;
  return values;
}

function placeholderProblems(input: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(input)) {
    if (typeof value !== "string") continue;
    if (name.endsWith("_URL") && urlHasPlaceholderPassword(value)) {
      problems.push(`${name} has an empty or placeholder password (refused outside development)`);
    }
    if (/(PASSWORD|SECRET|_KEY|_TOKEN)$/.test(name) && isPlaceholderSecret(value)) {
      problems.push(`${name} is a placeholder secret (refused outside development)`);
    }
  }
  return problems;
}

function urlHasPlaceholderPassword(value: string): boolean {
  const protocol = value.split(":")[0] ?? "";
  // Only URLs of servers that authenticate by password; Redis may legitimately use ACL-less TLS.
  if (!["postgres", "postgresql"].includes(protocol)) return false;
  return isPlaceholderSecret(urlPassword(value));
}
