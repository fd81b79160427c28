import { readEnvFile } from "./env-file.ts";
import { readYaml } from "./yaml-files.ts";

/** A service of the Compose file after interpolation, as the tests read it. */
export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[] | string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  volumes?: string[];
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
  ports?: string[];
  stop_grace_period?: string;
  stop_signal?: string;
  [key: string]: unknown;
}

export interface ComposeProject {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { ipam?: { config?: { subnet: string }[] } }>;
}

/**
 * The Compose file as `docker compose --env-file` would see it: YAML (with merge keys), then
 * every string interpolated from the env file. Supports $$, ${VAR}, ${VAR:-default},
 * ${VAR-default}, ${VAR:?message} and ${VAR?message}; an unset required variable or any
 * other form throws, as Compose would refuse to start.
 */
export function loadCompose(
  composeFile: string,
  envFile: string,
): {
  raw: unknown;
  project: ComposeProject;
  env: Record<string, string>;
} {
  const env = readEnvFile(envFile);
  const raw = readYaml(composeFile);
  return { raw, project: interpolate(raw, env) as ComposeProject, env };
}

function interpolate(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === "string") return interpolateString(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env)] as const),
    );
  }
  return value;
}

export function interpolateString(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced, bare) => {
    if (whole === "$$") return "$";
    if (bare !== undefined) throw new Error(`write \${${bare}}, not $${bare}, in compose.yaml`);
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])(.*))?$/.exec(braced as string);
    if (!match) throw new Error(`unsupported interpolation \${${braced}}`);
    const [, name, colon, kind, rest] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    const current = env[name];
    const missing = current === undefined || (colon === ":" && current === "");
    if (!kind) {
      if (current === undefined) throw new Error(`${name} is not set in the env file`);
      return current;
    }
    if (!missing) return current;
    if (kind === "-") return rest;
    throw new Error(`${name} is required by compose.yaml: ${rest || "not set"}`);
  });
}
