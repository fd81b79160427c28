import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "@strata/local-servers";
import { loadStackSettings } from "../../src/settings.ts";
import { startStack, type Stack } from "../../src/stack.ts";

/** Variables that would point the stack at external services: tests use private ones. */
const EXTERNAL = [
  "DATABASE_URL",
  "REDIS_STATE_URL",
  "REDIS_CACHE_URL",
  "S3_ENDPOINT",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
  "ADMIN_EMAIL",
  "ADMIN_PASSWORD",
];

/** The environment of a test stack: its own data folder and port, private servers only. */
export async function testStackEnv(
  dataDir: string,
  extra: Record<string, string> = {},
): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of EXTERNAL) delete env[name];
  return {
    ...env,
    STRATA_DATA_DIR: dataDir,
    STRATA_PORT: String(await freePort()),
    STRATA_PRODUCTS: "200",
    // Load tests would otherwise measure the rate limiter, not the balancer.
    RATE_LIMIT_ENABLED: "false",
    // A log line per request costs CPU the two cores need for the load itself.
    LOG_LEVEL: "warn",
    ...extra,
  };
}

export interface TestStack {
  stack: Stack;
  dataDir: string;
  /** Stops every process and deletes the data folder. */
  stop(): Promise<void>;
}

/** Starts a whole stack (PostgreSQL, two Redis, s3rver, API instances, nginx) for one file. */
export async function startTestStack(
  options: { instances?: number; env?: Record<string, string> } = {},
): Promise<TestStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-stack-"));
  const env = await testStackEnv(dataDir, options.env);
  const settings = loadStackSettings(env, { instances: options.instances ?? 3 });
  let stack: Stack;
  try {
    stack = await startStack(settings);
  } catch (error) {
    // startStack stopped whatever it had started; the folder is ours to remove.
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    stack,
    dataDir,
    async stop() {
      await stack.down();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Logs in through nginx and returns the session token (throws unless the login is a 200). */
export async function loginThrough(stack: Stack, email: string, password: string): Promise<string> {
  const login = await fetch(`${stack.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`login of ${email} answered ${login.status}`);
  return ((await login.json()) as { token: string }).token;
}
