import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {
  allowTraversal,
  startProcess,
  tail,
  waitFor,
  isListening,
  type ManagedProcess,
} from "@strata/local-servers";
import { deployDir } from "./paths.ts";

export const entrypoint = path.join(deployDir, "pgbouncer", "entrypoint.sh");

/** The variables deploy/pgbouncer/entrypoint.sh reads, and those it requires (`:?`). */
export function entrypointVariables(): { known: string[]; required: string[] } {
  const text = fs.readFileSync(entrypoint, "utf8");
  const known = new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!));
  const required = [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*):\?/g)].map((m) => m[1]!);
  return { known: [...known].sort(), required: [...new Set(required)].sort() };
}

/**
 * Runs the container's entrypoint here, as the image does: a POSIX shell script that writes
 * the configuration into PGBOUNCER_CONFIG_DIR and execs Debian's pgbouncer. As root it runs
 * as `postgres` (PgBouncer refuses root), who must own the folder.
 */
export async function runEntrypoint(
  env: Record<string, string>,
  configDir: string,
): Promise<ManagedProcess> {
  fs.mkdirSync(configDir, { recursive: true });
  let owner: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    // The entrypoint runs as postgres from the checkout, which may sit in a 0700 folder.
    allowTraversal(path.dirname(entrypoint));
    owner = {
      uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()),
      gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim()),
    };
    fs.chownSync(configDir, owner.uid, owner.gid);
  }
  const logFile = path.join(path.dirname(configDir), "pgbouncer-entrypoint.log");
  const child = startProcess("pgbouncer", "sh", [entrypoint], logFile, {
    env: { PATH: "/usr/sbin:/usr/bin:/bin", ...env, PGBOUNCER_CONFIG_DIR: configDir },
    cwd: configDir,
    ...(owner ?? {}),
  });
  const port = Number(env.PGBOUNCER_PORT ?? 6432);
  try {
    await waitFor("the entrypoint's PgBouncer to listen", async () => {
      if (child.child.exitCode !== null) throw new Error(`exited ${child.child.exitCode}`);
      return isListening(port);
    });
  } catch (error) {
    await child.stop("SIGKILL");
    throw new Error(`${(error as Error).message}\n${tail(logFile)}`, { cause: error });
  }
  return child;
}

/** Runs the entrypoint expecting it to refuse `env` before starting PgBouncer; returns why. */
export function entrypointRefusal(env: Record<string, string>, configDir: string): string {
  try {
    execFileSync("sh", [entrypoint], {
      env: { PATH: "/usr/sbin:/usr/bin:/bin", ...env, PGBOUNCER_CONFIG_DIR: configDir },
      stdio: "pipe",
      timeout: 10_000,
    });
  } catch (error) {
    const failure = error as { status?: number | null; stderr?: Buffer };
    if (failure.status === 1 || failure.status === 2) return String(failure.stderr ?? "");
    throw new Error(`the entrypoint did not refuse: ${String(failure.stderr ?? error)}`, {
      cause: error,
    });
  }
  throw new Error("the entrypoint accepted the environment");
}
