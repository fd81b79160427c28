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
  it("identifies a process by start time and boot, not by pid alone", () => {
    const child = sleeper("identity");
    const identity = readProcessIdentity(child.pid)!;
    expect(identity.cmdline).toBe("sleep 300");
    expect(identity.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(isSameProcess(identity)).toBe(true);
    expect(isSameProcess({ ...identity, startTime: "1" })).toBe(false);
    // The same pid and start tick in another boot (pid files outlive a reboot).
    expect(isSameProcess({ ...identity, bootId: "00000000-0000-0000-0000-000000000000" })).toBe(
      false,
    );
    // The recorded command line is informational: processes rewrite their own.
    expect(isSameProcess({ ...identity, cmdline: "something else" })).toBe(true);
    // A record from before boot ids were recorded is compared by command line, as then.
    const { bootId: _, ...legacy } = identity;
    expect(isSameProcess(legacy)).toBe(true);
    expect(isSameProcess({ ...legacy, cmdline: "something else" })).toBe(false);
  });

  it("still knows a process recorded before it exec'd or rewrote its command line", async () => {
    // Redis and nginx set their process titles only after they start listening, so a record
    // taken once the port answers may hold the command line before or after the change.
    const renames = startProcess(
      "renames",
      process.execPath,
      [
        "-e",
        'setTimeout(() => { process.title = "renamed 127.0.0.1:1234"; }, 300); setInterval(() => {}, 1e3);',
      ],
      path.join(dir, "renames.log"),
    );
    const execs = startProcess(
      "execs",
      "sh",
      ["-c", "sleep 0.3; exec sleep 300"],
      path.join(dir, "execs.log"),
    );
    started.push(renames, execs);
    const records = [renames, execs].map((c) => readProcessIdentity(c.pid)!);
    expect(records.map((r) => r.cmdline)).toEqual([
      expect.stringContaining("process.title"),
      "sh -c sleep 0.3; exec sleep 300",
    ]);
    const now = () => records.map((r) => readProcessIdentity(r.pid)?.cmdline);
    const deadline = Date.now() + 10_000;
    while (now()[0] !== "renamed 127.0.0.1:1234" || now()[1] !== "sleep 300") {
      if (Date.now() > deadline) throw new Error(`command lines did not change: ${now()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(records.map(isSameProcess)).toEqual([true, true]);
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
