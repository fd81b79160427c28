import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../support/test-stack.ts";

let test: TestStack;

beforeAll(async () => {
  test = await startTestStack({ instances: 1 });
}, 240_000);

afterAll(async () => {
  await test?.stop();
}, 60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const worker = () => test.stack.status().processes.find((p) => p.name === "worker-1")!;

describe("restart", () => {
  it("starts a crashed worker again, not only the API instances", async () => {
    const before = worker();
    expect(before.state).toBe("running");
    process.kill(before.pid, "SIGKILL");
    while (worker().state === "running") await sleep(50);
    expect(worker().state).toMatch(/^exited/);

    await test.stack.rollingRestart();

    const after = worker();
    expect(after.state).toBe("running");
    expect(after.pid).not.toBe(before.pid);
    const ready = await fetch(`http://${after.address}/ready`);
    expect(ready.status).toBe(200);
  }, 120_000);
});
