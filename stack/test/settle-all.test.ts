import { describe, expect, it } from "vitest";
import { settleAll } from "../src/settle-all.ts";

describe("settleAll", () => {
  it("resolves like Promise.all", async () => {
    await expect(settleAll([Promise.resolve(1), Promise.resolve("a")])).resolves.toEqual([1, "a"]);
  });

  it("rejects with the first error only after every step has settled", async () => {
    let slowFinished = false;
    const slow = new Promise<number>((resolve) =>
      setTimeout(() => {
        slowFinished = true;
        resolve(2);
      }, 50),
    );
    await expect(settleAll([Promise.reject(new Error("first")), slow])).rejects.toThrow("first");
    expect(slowFinished).toBe(true);
  });
});
