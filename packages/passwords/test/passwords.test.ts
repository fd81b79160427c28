import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, verifyPassword } from "../src/index.ts";

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
