import { describe, expect, it } from "vitest";
import { LocalSlidingLog } from "../../src/rate-limit/local-sliding-log.ts";

/** A clock the test moves by hand: the fallback's own logic, without waiting. */
function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("LocalSlidingLog (the per-instance fallback)", () => {
  it("admits max in any rolling window, with no burst at a boundary", () => {
    const time = clock();
    const log = new LocalSlidingLog(100, time.now);
    const bucket = [{ key: "k", max: 3, windowMs: 1000 }];
    const admitted: number[] = [];
    for (let i = 0; i < 60; i++) {
      if (log.consume(bucket).admitted) admitted.push(time.now());
      time.advance(50);
    }
    for (let i = 0; i + 3 < admitted.length; i++) {
      expect(admitted[i + 3]! - admitted[i]!).toBeGreaterThanOrEqual(1000);
    }
    expect(admitted.length).toBe(9); // 3 s of steady knocking: 3 windows' worth
  });

  it("counts a request in all its buckets or none", () => {
    const log = new LocalSlidingLog(100, clock().now);
    const a = { key: "a", max: 1, windowMs: 1000 };
    const b = { key: "b", max: 5, windowMs: 1000 };
    expect(log.consume([a, b]).admitted).toBe(true);
    const refused = log.consume([a, b]);
    expect(refused.admitted).toBe(false);
    expect(refused.buckets.map((s) => s.count)).toEqual([1, 1]);
    expect(refused.buckets[0]!.waitMs).toBe(1000);
  });

  it("stays within its key bound and forgets everything on clear()", () => {
    const log = new LocalSlidingLog(10, clock().now);
    for (let i = 0; i < 50; i++) log.consume([{ key: `k${i}`, max: 1, windowMs: 1000 }]);
    expect(log.size).toBe(10);
    log.clear();
    expect(log.size).toBe(0);
  });
});
