import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@strata/local-servers";
import { readPidFiles, type PidRecord } from "../../src/process/pid-files.ts";
import { isSameProcess } from "../../src/process/process-identity.ts";
import { repoRoot } from "../../src/settings.ts";
import { testStackEnv } from "../support/test-stack.ts";

const bin = path.join(repoRoot, "stack", "bin", "strata.mjs");
let dataDir: string;
let env: NodeJS.ProcessEnv;
const running: ChildProcess[] = [];

interface UpRun {
  child: ChildProcess;
  /** Resolves with the URL of the line containing "ready". */
  ready: Promise<string>;
  output: () => string;
  /** Resolves once the output matches. */
  printed: (pattern: RegExp) => Promise<void>;
  exited: Promise<number | null>;
}

/** `npm start` as a person runs it: a foreground process whose output we read. */
function up(...args: string[]): UpRun {
  const child = spawn(process.execPath, [bin, "up", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  let output = "";
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready at (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then((code) => reject(new Error(`up exited (${code}) before ready:\n${output}`)));
  });
  ready.catch(() => {});
  const printed = async (pattern: RegExp) => {
    while (!pattern.test(output)) {
      if (child.exitCode !== null) throw new Error(`up exited before printing ${pattern}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, ready, output: () => output, exited, printed };
}

/** One of the commands that talk to the running stack (with `extra` variables set). */
function cliWith(
  extra: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...env, ...extra } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
const cli = (...args: string[]) => cliWith({}, ...args);

const children = (): PidRecord[] => readPidFiles(path.join(dataDir, "run"));

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-cli-"));
  env = await testStackEnv(dataDir, { STRATA_PRODUCTS: "50" });
});

afterAll(async () => {
  const alive = running.filter((c) => c.exitCode === null && c.signalCode === null);
  const gone = alive.map((c) => new Promise((r) => c.once("exit", r)));
  for (const child of alive) child.kill("SIGTERM");
  await Promise.all(gone);
  // Whatever a failed test left behind, by its recorded identity only.
  for (const record of children()) {
    if (isSameProcess(record)) process.kill(-record.pid, "SIGKILL");
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("npm start (stack/bin/strata.mjs)", () => {
  it("comes up, is operated by status/scale, survives its own crash, and stops cleanly", async () => {
    // First start: migrations, seed, generated admin, a ready line with the URL.
    const first = up("--instances", "2");
    const url = await first.ready;
    expect(url).toBe(`http://127.0.0.1:${env.STRATA_PORT}`);
    expect(first.output()).toMatch(/api\s+api-1\s+\d+\s+127\.0\.0\.1:\d+\s+3\s+running/);
    expect(first.output()).toContain("seeded 50 products");
    expect(first.output()).toMatch(/admin: admin@strata\.test \/ \S{20,}/);
    const credentials = path.join(dataDir, "admin-credentials.json");
    expect(fs.statSync(credentials).mode & 0o777).toBe(0o600);
    expect((await fetch(`${url}/api/products?limit=1`)).status).toBe(200);

    // A second `up` on the same data folder is refused while the first runs.
    const second = await cli("up");
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("already running");

    const status = await cli("status");
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("(ready;");
    expect(status.stdout).toMatch(/nginx\s+nginx\s+\d+/);

    const scaled = await cli("scale", "3");
    expect(scaled.code).toBe(0);
    expect(scaled.stdout).toMatch(/api-3\s+\d+\s+127\.0\.0\.1:\d+\s+1 backup\s+running/);
    const refused = await cli("scale", "9");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("connection budget exceeded");

    // The runner dies hard: its children live on, recorded in pid files.
    const orphans = children();
    expect(orphans.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        ...["api-1", "api-2", "api-3", "nginx", "postgres", "redis-cache", "redis-state", "s3"],
      ]),
    );
    first.child.kill("SIGKILL");
    await first.exited;
    // By name, so that a failure says which child did not outlive the runner.
    expect(orphans.filter((r) => !isSameProcess(r)).map((r) => r.name)).toEqual([]);
    // `status` says the children outlived their runner, and names them.
    const orphaned = await cli("status");
    expect(orphaned.code).toBe(1);
    expect(orphaned.stderr).toContain("no stack is running");
    expect(orphaned.stderr).toMatch(/still running: .*nginx \(pid \d+\)/);

    // The next start stops exactly those, keeps the data, and comes up on the same port.
    const again = up();
    expect(await again.ready).toBe(url);
    expect(again.output()).toContain("stopped nginx");
    expect(again.output()).toContain("left running by an earlier run");
    expect(again.output()).toContain("catalogue kept: 50 products");
    expect(orphans.some(isSameProcess)).toBe(false);
    expect((await fetch(`${url}/api/products?limit=1`)).status).toBe(200);

    // `down` stops everything, in order, and the runner exits 0.
    const secondRun = children();
    const down = await cli("down");
    expect(down.code).toBe(0);
    expect(await again.exited).toBe(0);
    expect(secondRun.some(isSameProcess)).toBe(false);
    const order = [...again.output().matchAll(/stopping (\w+):/g)].map((m) => m[1]);
    const front = ["nginx", "api", "worker", "s3", "redis", "postgres"];
    expect(order).toEqual(front.filter((role) => order.includes(role)));
    expect(order).toEqual(expect.arrayContaining(["nginx", "api", "s3", "redis", "postgres"]));

    // Ctrl-C / SIGTERM does the same.
    const third = up();
    await third.ready;
    const thirdRun = children();
    third.child.kill("SIGTERM");
    expect(await third.exited).toBe(0);
    expect(thirdRun.some(isSameProcess)).toBe(false);
    expect(children()).toEqual([]);

    // Ctrl-C while starting: the start stops at its next step, with nothing left behind.
    const fourth = up();
    await fourth.printed(/starting \d+ API instance/);
    const started = children();
    fourth.child.kill("SIGINT");
    expect(await fourth.exited).toBe(130);
    expect(fourth.output()).toContain("stopped before it was ready");
    expect(started.some(isSameProcess)).toBe(false);
    expect(children()).toEqual([]);

    // With the runner killed, `down` stops what it left serving.
    const fifth = up();
    await fifth.ready;
    const fifthRun = children();
    fifth.child.kill("SIGKILL");
    await fifth.exited;
    const cleaned = await cli("down");
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toMatch(/stopped nginx \(pid \d+\) left running by an earlier run/);
    expect(fifthRun.filter(isSameProcess).map((r) => r.name)).toEqual([]);
    expect(children()).toEqual([]);
  }, 400_000);

  it("refuses at once, naming the setting, a service URL or public address it cannot use", async () => {
    const closed = await freePort();
    const taken = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => taken.once("listening", r));
    const takenPort = (taken.address() as net.AddressInfo).port;
    const s3 = { S3_ACCESS_KEY_ID: "key", S3_SECRET_ACCESS_KEY: "secret-secret-secret" };
    const cases: [NodeJS.ProcessEnv, string][] = [
      [{ DATABASE_URL: `postgres://u:secret@127.0.0.1:${closed}/x` }, "DATABASE_URL"],
      [{ REDIS_STATE_URL: `redis://:secret@127.0.0.1:${closed}` }, "REDIS_STATE_URL"],
      [{ S3_ENDPOINT: `http://127.0.0.1:${closed}`, ...s3 }, "S3_ENDPOINT"],
      [{ STRATA_PORT: String(takenPort) }, "another program is listening there"],
      [{ STRATA_HOST: "192.0.2.1" }, "not an address of this machine"],
    ];
    try {
      for (const [extra, named] of cases) {
        const run = await cliWith(extra, "up");
        expect(run.code, named).toBe(1);
        expect(run.stderr, named).toContain(named);
        expect(run.stderr + run.stdout, named).not.toContain("secret");
        // Whatever it started first is stopped again.
        expect(children().filter(isSameProcess), named).toEqual([]);
      }
    } finally {
      taken.close();
    }
  }, 120_000);
});
