import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/seed/random.ts";

const draw = (seed: string, n = 5) => {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => random.next());
};

describe("createRandom", () => {
  it("repeats its sequence for the same seed and differs for another", () => {
    expect(draw("strata")).toEqual(draw("strata"));
    expect(draw("strata")).not.toEqual(draw("strata2"));
  });

  it("keeps int() inside its inclusive bounds and reaches both ends", () => {
    const random = createRandom("bounds");
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const n = random.int(3, 7);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(7);
      seen.add(n);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it("spreads next() over [0, 1)", () => {
    const random = createRandom("spread");
    const values = Array.from({ length: 10_000 }, () => random.next());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});
