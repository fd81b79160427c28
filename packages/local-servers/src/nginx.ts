import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startProcess, tail, type ManagedProcess } from "./child.ts";
import { isListening, waitFor } from "./ports.ts";
import { ensureDebianPackage } from "./system-packages.ts";
import { allowTraversal } from "./traversal.ts";

export interface NginxOptions {
  /** nginx's prefix (`-p`): relative paths in the configuration resolve against it. */
  prefixDir: string;
  /** The generated configuration file. */
  configFile: string;
  /** Where nginx listens, to know when it is up. */
  host: string;
  port: number;
  /** stdout/stderr of the master process (start-up errors before error_log is open). */
  logFile: string;
}

export interface NginxServer {
  process: ManagedProcess;
  /** Re-reads the configuration (SIGHUP) after checking it with `nginx -t`. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

const NGINX = "/usr/sbin/nginx";

/** The nginx program (Debian's path), installed from Debian's package when missing. */
export function nginxBinary(): string {
  ensureDebianPackage("nginx", NGINX);
  return NGINX;
}

/**
 * Prepares the folders a generated configuration points at (temp paths under the prefix)
 * and says which `user` the workers should run as. As root, nginx's workers switch to
 * `nobody`; they write request bodies and buffered responses to the temp folders, so those
 * belong to nobody and every ancestor is made traversable (x only, nothing becomes readable).
 */
export function prepareNginxPrefix(prefixDir: string, tempDir: string): { user?: string } {
  for (const sub of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
    fs.mkdirSync(path.join(tempDir, sub), { recursive: true });
  }
  fs.mkdirSync(prefixDir, { recursive: true });
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync("id", ["-u", "nobody"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "nobody"]).toString().trim());
  const group = execFileSync("id", ["-gn", "nobody"]).toString().trim();
  const chownTree = (dir: string) => {
    fs.chownSync(dir, uid, gid);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) chownTree(path.join(dir, entry.name));
    }
  };
  chownTree(tempDir);
  allowTraversal(tempDir);
  return { user: `nobody ${group}` };
}

/** Runs `nginx -t` on a configuration; throws with nginx's own message when it is invalid. */
export function testNginxConfig(prefixDir: string, configFile: string): void {
  const result = spawnSync(
    nginxBinary(),
    ["-t", "-q", "-p", prefixDir, "-c", configFile, "-g", "daemon off;"],
    { encoding: "utf8" },
  );
  if (result.status !== 0) {
    throw new Error(`nginx rejected ${configFile}:\n${(result.stderr || result.stdout).trim()}`);
  }
}

/**
 * Starts nginx in the foreground (`daemon off`) as our child, so it is stopped like every
 * other server: SIGQUIT is nginx's graceful shutdown (finish in-flight requests).
 */
export async function startNginx(options: NginxOptions): Promise<NginxServer> {
  testNginxConfig(options.prefixDir, options.configFile);
  const child = startProcess(
    "nginx",
    nginxBinary(),
    ["-p", options.prefixDir, "-c", options.configFile, "-g", "daemon off;"],
    options.logFile,
  );
  try {
    await waitFor("nginx to listen", async () => {
      if (child.child.exitCode !== null) throw new Error("exited");
      return isListening(options.port, options.host);
    });
  } catch (error) {
    await child.stop("SIGKILL");
    throw new Error(`nginx did not start: ${(error as Error).message}\n${tail(options.logFile)}`, {
      cause: error,
    });
  }
  return {
    process: child,
    async reload() {
      testNginxConfig(options.prefixDir, options.configFile);
      if (child.child.exitCode !== null || child.child.signalCode !== null) {
        // Without this, `restart` and `scale` failed with a bare "kill ESRCH".
        throw new Error(
          `nginx (pid ${child.pid}) has exited (${child.child.exitCode ?? child.child.signalCode}); stop the stack and start it again`,
        );
      }
      process.kill(child.pid, "SIGHUP");
    },
    stop: () => child.stop("SIGQUIT", 15_000),
  };
}
