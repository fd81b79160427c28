import type { Bucket, SlidingLog, SlidingLogResult } from "./sliding-log.ts";

/**
 * The same sliding log as the Redis script, in this process's memory: the fallback while
 * Redis is unreachable. It counts only this instance's requests, so callers size its
 * buckets at a share of the policy. Memory is bounded: past `maxKeys` the least recently
 * written keys are forgotten (an attacker rotating addresses during an outage then gets a
 * fresh allowance, which is the lesser evil next to the process running out of memory).
 */
export class LocalSlidingLog implements SlidingLog {
  private readonly entries = new Map<string, number[]>();

  constructor(
    private readonly maxKeys = 50_000,
    /** Milliseconds from a monotonic clock; a wall-clock step must not reopen a window. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  consume(buckets: Bucket[]): SlidingLogResult {
    const now = this.now();
    const logs = buckets.map((b) =>
      (this.entries.get(b.key) ?? []).filter((t) => t > now - b.windowMs),
    );
    const admitted = buckets.every((b, i) => logs[i]!.length < b.max);
    const result: SlidingLogResult = { admitted, buckets: [] };
    buckets.forEach((b, i) => {
      const log = logs[i]!;
      if (admitted) log.push(now);
      if (log.length > 0) this.remember(b.key, log);
      else this.entries.delete(b.key);
      result.buckets.push({
        count: log.length,
        waitMs: log.length > 0 ? Math.ceil(log[0]! + b.windowMs - now) : 0,
      });
    });
    return result;
  }

  /** Forgets everything: called when Redis is back, so the next outage starts clean. */
  clear(): void {
    this.entries.clear();
  }

  /** Keys held now (for tests and the memory bound). */
  get size(): number {
    return this.entries.size;
  }

  private remember(key: string, log: number[]): void {
    this.entries.delete(key); // re-insert: Map order is then "least recently written first"
    this.entries.set(key, log);
    while (this.entries.size > this.maxKeys) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }
}
