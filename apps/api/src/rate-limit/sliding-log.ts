/** One counter a request is checked against: at most `max` admitted in any `windowMs`. */
export interface Bucket {
  key: string;
  max: number;
  windowMs: number;
}

/** The state of one bucket after a decision. */
export interface BucketState {
  /** Requests admitted in the current window, this one included when admitted. */
  count: number;
  /** Until the oldest admitted request leaves the window (0 when the bucket is empty). */
  waitMs: number;
}

export interface SlidingLogResult {
  /** True when every bucket had room; the request then counts in all of them. */
  admitted: boolean;
  /** In the order of the buckets asked for. */
  buckets: BucketState[];
}

/** A sliding-log store: Redis for the cluster, or the per-instance fallback. */
export interface SlidingLog {
  consume(buckets: Bucket[]): Promise<SlidingLogResult> | SlidingLogResult;
}
