import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startProcess } from "@strata/local-servers";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "child-leftovers-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Running, and not a zombie waiting for init to reap it. */
const alive = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
};

describe("startProcess", () => {
  it("stops what a child killed with -9 left behind in its process group, as it exits", async () => {
    // Like an nginx master and its worker: the parent starts a long-lived child of its own.
    const pidFile = path.join(dir, "grandchild.pid");
    const child = startProcess(
      "parent",
      "/bin/sh",
      ["-c", `sleep 60 & echo $! > ${pidFile}; wait`],
      path.join(dir, "parent.log"),
    );
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, "utf8").trim() === "") {
      await sleep(20);
    }
    const grandchild = Number(fs.readFileSync(pidFile, "utf8").trim());
    expect(alive(grandchild)).toBe(true);
    process.kill(child.pid, "SIGKILL");
    await child.exited;

    for (let i = 0; i < 50 && alive(grandchild); i++) await sleep(20);
    expect(alive(grandchild)).toBe(false);
    // Long after the exit, stop() sends nothing: by then the pid may name another process.
    await expect(child.stop()).resolves.toBeUndefined();
  });
});
