import type { z } from "zod";
import {
  adminVars,
  commonVars,
  databaseVars,
  httpVars,
  passwordSchedulingVars,
  passwordVars,
  rateLimitVars,
  redisVars,
  sessionVars,
  storageVars,
  uploadVars,
  workerVars,
} from "./variables.ts";
import { cacheVars } from "./cache-config.ts";
import { opsVars } from "./ops-config.ts";

export interface VariableDoc {
  group: string;
  name: string;
  description: string;
  default: string | undefined;
  required: boolean;
}

// In the order a reader meets them.
const GROUPS: [string, Record<string, z.ZodType>][] = [
  ["Every process", commonVars],
  ["HTTP server", httpVars],
  ["PostgreSQL", databaseVars],
  ["Redis", redisVars],
  ["Sessions", sessionVars],
  ["Password hashing", { ...passwordVars, ...passwordSchedulingVars }],
  ["Rate limits", rateLimitVars],
  ["Caching", cacheVars],
  ["First admin (seed)", adminVars],
  ["Object storage (S3)", storageVars],
  ["Uploads", uploadVars],
  ["Worker", workerVars],
  ["Operations view", opsVars],
];

/** Every variable with its description and default, for .env.example and the README. */
export function describeVariables(): VariableDoc[] {
  const docs: VariableDoc[] = [];
  for (const [group, vars] of GROUPS) {
    for (const [name, schema] of Object.entries(vars)) {
      const parsed = schema.safeParse(undefined);
      const optional = parsed.success;
      const fallback = optional && parsed.data !== undefined ? render(parsed.data) : undefined;
      docs.push({
        group,
        name,
        description: schema.description ?? "",
        default: name === "INSTANCE_ID" ? "<hostname>-<pid>" : fallback,
        required: !optional,
      });
    }
  }
  return docs;
}

function render(value: unknown): string {
  return Array.isArray(value) ? value.join(",") : String(value);
}
