import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../src/settings.ts";

const helper = path.join(repoRoot, "stack", "src", "cli", "closed-output.ts");

/** Runs a script that prints 200 lines, 5 ms apart, to a stdout whose reader leaves early. */
function runWithReaderGone(protect: boolean): Promise<{ code: number | null; stderr: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "closed-output-"));
  const script = path.join(dir, "run.mts");
  fs.writeFileSync(
    script,
    `import { ignoreClosedOutput } from ${JSON.stringify(helper)};
${protect ? "ignoreClosedOutput(process.stdout);" : ""}
for (let i = 0; i < 200; i++) {
  console.log("line " + i);
  await new Promise((r) => setTimeout(r, 5));
}
console.error("finished");
`,
  );
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The reader takes the first chunk and goes away, as `| head -1` does.
  child.stdout.once("data", () => child.stdout.destroy());
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, stderr });
    }),
  );
}

describe("ignoreClosedOutput", () => {
  it("keeps the process running when its stdout's reader goes away", async () => {
    const unprotected = await runWithReaderGone(false);
    expect(unprotected.code).not.toBe(0);
    expect(unprotected.stderr).toContain("EPIPE");

    const protectedRun = await runWithReaderGone(true);
    expect(protectedRun.stderr).not.toContain("EPIPE");
    expect(protectedRun.stderr).toContain("finished");
    expect(protectedRun.code).toBe(0);
  }, 30_000);
});
