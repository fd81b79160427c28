import { describe, expect, it } from "vitest";
import {
  PermitLeases,
  type LeaseOptions,
  type PermitStore,
  type Reservation,
} from "../../src/rate-limit/permit-leases.ts";
import type { Bucket } from "../../src/rate-limit/sliding-log.ts";

// How a busy key's batches grow and shrink, on a clock the test moves: a store that grants
// what it is asked (the key far from its limit) and records each call.

const OPTIONS: LeaseOptions = { firstBatch: 32, maxBatch: 1024, ms: 300, shareDivisor: 6 };
const BUCKET: Bucket = { key: "ratelimit:default:a:203.0.113.9", max: 1_000_000, windowMs: 60_000 };

class GrantingStore implements PermitStore {
  asked: number[] = [];
  released: number[] = [];
  private calls = 0;
  reserve(_bucket: Bucket, need: number, batch: number): Promise<Reservation> {
    this.asked.push(batch);
    const spare = batch - need;
    const spareEntry = `r${++this.calls}s#${spare}`;
    return Promise.resolve({ countBefore: 0, granted: need, spare, spareEntry, waitMs: 0 });
  }
  release(_key: string, _entry: string, unused: number): Promise<void> {
    this.released.push(unused);
    return Promise.resolve();
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function setUp() {
  let clock = 0;
  const store = new GrantingStore();
  const leases = new PermitLeases(store, 100, () => clock);
  return {
    store,
    leases,
    advance: (ms: number) => (clock += ms),
    /** One read: from the lease in hand, else it waits for a reservation. */
    read: async () => leases.take(BUCKET) ?? (await leases.acquire(BUCKET, OPTIONS)),
  };
}

describe("permit lease sizes", () => {
  it("doubles the batch of a key that uses half of one within a quarter of the lease, up to maxBatch", async () => {
    const { store, read } = setUp();
    for (let i = 0; i < 5_000; i++) {
      expect((await read()).admitted).toBe(true);
      await tick(); // a refill sent by this read is answered before the next
    }
    expect(store.asked.slice(0, 7)).toEqual([32, 62, 124, 248, 496, 992, 1024]);
    expect(Math.max(...store.asked)).toBe(1024);
  });

  it("keeps the size of a key that takes longer than that", async () => {
    const { store, read, advance } = setUp();
    for (let i = 0; i < 200; i++) {
      await read();
      await tick();
      advance(10); // half a batch (16 reads) takes 160 ms: more than a quarter of 300 ms
    }
    expect(store.asked.length).toBeGreaterThan(5);
    expect(new Set(store.asked)).toEqual(new Set([32]));
  });

  it("halves the next batch after one ends with permits unused, and starts again from the first size once the lease is gone", async () => {
    const { store, read, advance } = setUp();
    while (store.asked.at(-1) !== 1024) {
      await read();
      await tick();
    }
    // 200 ms later the 1,024 batch is half used: the refill asks for the same (not quick).
    advance(200);
    const calls = store.asked.length;
    while (store.asked.length === calls) await read();
    await tick();
    expect(store.asked.at(-1)).toBe(1024);
    // The half-used batch ends (at 300 ms) with 512 permits unused, while the refill lives on.
    advance(150);
    await read();
    expect(store.released).toEqual([512]);
    const before = store.asked.length;
    while (store.asked.length === before) await read();
    expect(store.asked.at(-1)).toBe(512);
    // Every batch over: the key starts again as a new one.
    await tick();
    advance(1_000);
    await read();
    expect(store.asked.at(-1)).toBe(32);
  });
});
