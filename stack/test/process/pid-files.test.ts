import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startProcess, type ManagedProcess } from "@strata/local-servers";
import { cleanStalePidFiles, readPidFiles, writePidFile } from "../../src/process/pid-files.ts";
import { isSameProcess, readProcessIdentity } from "../../src/process/process-identity.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-pids-"));
const started: ManagedProcess[] = [];
const sleeper = (name: string) => {
  const child = startProcess(name, "sleep", ["300"], path.join(dir, `${name}.log`));
  started.push(child);
  return child;
};

afterAll(async () => {
  await Promise.all(started.map((c) => c.stop("SIGKILL")));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("stale pid files", () => {
  it("identifies a process by start time and command line, not by pid alone", () => {
    const child = sleeper("identity");
    const identity = readProcessIdentity(child.pid)!;
    expect(identity.cmdline).toBe("sleep 300");
    expect(isSameProcess(identity)).toBe(true);
    expect(isSameProcess({ ...identity, startTime: "1" })).toBe(false);
    expect(isSameProcess({ ...identity, cmdline: "something else" })).toBe(false);
  });

  it("stops a process left by a crashed run, and never one that merely reuses its pid", async () => {
    const run = path.join(dir, "run");
    const ours = sleeper("left-behind");
    const stranger = sleeper("stranger");
    writePidFile(run, {
      name: "api-1",
      role: "api",
      pid: ours.pid,
      stopSignal: "SIGTERM",
      stopTimeoutMs: 5_000,
    });
    // A record whose pid now belongs to another process (different start time).
    const record = writePidFile(run, {
      name: "api-2",
      role: "api",
      pid: stranger.pid,
      stopSignal: "SIGTERM",
      stopTimeoutMs: 5_000,
    })!;
    fs.writeFileSync(
      path.join(run, "api-2.pid"),
      JSON.stringify({ ...record, startTime: String(Number(record.startTime) - 1) }),
    );
    fs.writeFileSync(
      path.join(run, "strata.pid"),
      JSON.stringify(readProcessIdentity(process.pid)),
    );

    const report = await cleanStalePidFiles(run);

    expect(await ours.exited).toBe("SIGTERM");
    expect(stranger.child.exitCode).toBeNull();
    expect(readProcessIdentity(stranger.pid)).toBeDefined();
    expect(report).toEqual([
      expect.stringContaining("stopped api-1"),
      expect.stringContaining("removed stale pid file of api-2"),
    ]);
    expect(readPidFiles(run)).toEqual([]);
    // The supervisor's own pid file is not a child record: left alone.
    expect(fs.existsSync(path.join(run, "strata.pid"))).toBe(true);
  });
});
