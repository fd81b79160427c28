import { describe, expect, it } from "vitest";
import {
  HashersBusyError,
  PasswordHasher,
  hashPassword,
  needsRehash,
  verifyPassword,
} from "../src/index.ts";

const params = { memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 };

describe("passwords", () => {
  it("hashes with argon2id and verifies", async () => {
    const hash = await hashPassword("correct horse battery", params);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, "correct horse battery")).toBe(true);
    expect(await verifyPassword(hash, "wrong")).toBe(false);
  });

  it("treats a malformed hash as a mismatch", async () => {
    expect(await verifyPassword("not-a-hash", "x")).toBe(false);
  });

  it("asks for a rehash when parameters grow", async () => {
    const hash = await hashPassword("pw-pw-pw-pw", params);
    expect(needsRehash(hash, params)).toBe(false);
    expect(needsRehash(hash, { ...params, timeCost: 3 })).toBe(true);
  });
});

describe("PasswordHasher", () => {
  it("runs at most `concurrency` computations and queues the rest in order", async () => {
    const hasher = new PasswordHasher(params, { concurrency: 2, maxWaiting: 10 });
    const hash = await hashPassword("pw-pw-pw-pw", params);
    const started: number[] = [];
    const checks = Array.from({ length: 5 }, (_, i) => {
      const check = hasher.verify(hash, i === 3 ? "wrong" : "pw-pw-pw-pw");
      started.push(i);
      return check;
    });
    expect(hasher.load).toEqual({ running: 2, waiting: 3 });
    expect(await Promise.all(checks)).toEqual([true, true, true, false, true]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(hasher.load).toEqual({ running: 0, waiting: 0 });
  });

  it("refuses a call when the waiting line is full, and takes calls again once it drains", async () => {
    const hasher = new PasswordHasher(params, { concurrency: 1, maxWaiting: 2 });
    const admitted = [hasher.hash("a"), hasher.hash("b"), hasher.hash("c")];
    await expect(hasher.hash("d")).rejects.toBeInstanceOf(HashersBusyError);
    expect(hasher.load).toEqual({ running: 1, waiting: 2 });
    const hashes = await Promise.all(admitted);
    expect(hashes.every((h) => h.startsWith("$argon2id$"))).toBe(true);
    expect(await hasher.verify(hashes[1]!, "b")).toBe(true);
  });

  it("answers false for an unknown account after a real computation", async () => {
    const hasher = new PasswordHasher(params, { concurrency: 1, maxWaiting: 0 });
    expect(await hasher.verifyAgainstDummy("anything")).toBe(false);
    expect(hasher.needsRehash(await hasher.hash("x"))).toBe(false);
  });
});
