import type { FastifyBaseLogger } from "fastify";
import type { LocalSlidingLog } from "./local-sliding-log.ts";
import type { PermitLeases } from "./permit-leases.ts";
import type { LimitRule, RateLimitPolicy } from "./policies.ts";
import type { RulePartition } from "./request-partitions.ts";
import type { Bucket, SlidingLog, SlidingLogResult } from "./sliding-log.ts";

/**
 * How a request was decided; the `outcome` label of rate_limit_decisions_total.
 * `fallback` / `fallback_limited`: decided by this instance's local limit while Redis is
 * unreachable; `unavailable`: Redis is unreachable and the policy fails closed (503).
 */
export type Outcome = "allowed" | "limited" | "fallback" | "fallback_limited" | "unavailable";

/** One rule after a decision, as the RateLimit header reports it. */
export interface RuleStatus {
  rule: LimitRule;
  /** The limit applied: the rule's max, or its per-instance share in a fallback. */
  quota: number;
  remaining: number;
  /** Seconds until more quota frees up (the oldest counted request leaves the window). */
  resetSeconds: number;
  /** This rule refused the request. */
  exhausted: boolean;
}

export interface Decision {
  policy: RateLimitPolicy;
  outcome: Outcome;
  /** Empty when `unavailable`: nothing was counted. */
  rules: RuleStatus[];
  /** For `limited`, `fallback_limited` and `unavailable`. */
  retryAfterSeconds?: number;
}

export interface RateLimiterOptions {
  redis: SlidingLog;
  /** Permits reserved in Redis, for the policies with a `lease`. */
  leases: PermitLeases;
  local: LocalSlidingLog;
  /** After a Redis failure, skip Redis this long (fallback at once) before trying again. */
  redisRetryMs: number;
  log: FastifyBaseLogger;
  record: (policy: RateLimitPolicy, outcome: Outcome) => void;
}

/**
 * Decides requests against the cluster-wide counts in Redis, and applies each policy's
 * outage mode when Redis fails. A failure opens a short circuit (redisRetryMs) so that a
 * frozen Redis costs one command timeout, not one per request; the first request after it
 * tries Redis again, and counting resumes by itself when Redis answers. A lease held when
 * Redis fails is used until it ends: its permits were counted in Redis.
 */
export class RateLimiter {
  private skipRedisUntil = 0;
  private degraded = false;

  constructor(private readonly options: RateLimiterOptions) {}

  /**
   * The decision in one call. The plugin calls the two halves itself, so that a request a
   * lease admits costs no promise; this form is for callers that do not mind (the tests).
   */
  async decide(policy: RateLimitPolicy, partitions: RulePartition[]): Promise<Decision> {
    return this.decideNow(policy, partitions) ?? this.decideLater(policy, partitions);
  }

  /**
   * The decision when it needs no Redis call (no rule applies, or a lease of the key has a
   * permit), else undefined: the caller then awaits `decideLater`. Most reads of a busy
   * client end here, without a promise.
   */
  decideNow(policy: RateLimitPolicy, partitions: RulePartition[]): Decision | undefined {
    if (partitions.length === 0) return this.recorded({ policy, outcome: "allowed", rules: [] });
    // Leases are for single-rule policies (buildPolicies checks), so the one partition.
    if (!policy.lease || partitions.length !== 1) return undefined;
    const { rule, partition } = partitions[0]!;
    const only = bucket(rule, partition, rule.max);
    const held = this.options.leases.take(only);
    return held && this.recorded(toDecision(policy, partitions, [only], held, false));
  }

  /** The decision that needs Redis (or the outage mode when Redis fails). */
  async decideLater(policy: RateLimitPolicy, partitions: RulePartition[]): Promise<Decision> {
    return this.recorded(await this.decideUnrecorded(policy, partitions));
  }

  private recorded(decision: Decision): Decision {
    this.options.record(decision.policy, decision.outcome);
    return decision;
  }

  private async decideUnrecorded(
    policy: RateLimitPolicy,
    partitions: RulePartition[],
  ): Promise<Decision> {
    if (partitions.length === 0) return { policy, outcome: "allowed", rules: [] };
    const buckets = partitions.map(({ rule, partition }) => bucket(rule, partition, rule.max));
    const lease = buckets.length === 1 ? policy.lease : undefined;
    if (performance.now() >= this.skipRedisUntil) {
      try {
        const result = lease
          ? await this.options.leases.acquire(buckets[0]!, lease)
          : await this.options.redis.consume(buckets);
        this.recovered();
        return toDecision(policy, partitions, buckets, result, false);
      } catch (error) {
        this.failed(error);
      }
    }
    if (policy.onRedisError === "fail-closed") {
      return {
        policy,
        outcome: "unavailable",
        rules: [],
        retryAfterSeconds: Math.max(1, Math.ceil(this.options.redisRetryMs / 1000)),
      };
    }
    const local = partitions.map(({ rule, partition }) => bucket(rule, partition, rule.localMax));
    return toDecision(policy, partitions, local, this.options.local.consume(local), true);
  }

  private failed(error: unknown): void {
    this.skipRedisUntil = performance.now() + this.options.redisRetryMs;
    if (this.degraded) return;
    this.degraded = true;
    this.options.log.warn(
      { err: error instanceof Error ? error.message : String(error) },
      "rate limiting degraded: the state Redis is unreachable or failing; fail-closed policies answer 503, the others count per instance",
    );
  }

  private recovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    // The next outage starts from zero rather than from counts that are minutes old.
    this.options.local.clear();
    this.options.log.info("rate limiting restored: counting in the state Redis again");
  }
}

function bucket(rule: LimitRule, partition: string, max: number): Bucket {
  return { key: `${rule.keyPrefix}${partition}`, max, windowMs: rule.windowSeconds * 1000 };
}

function toDecision(
  policy: RateLimitPolicy,
  partitions: RulePartition[],
  buckets: Bucket[],
  result: SlidingLogResult,
  local: boolean,
): Decision {
  const rules = partitions.map(({ rule }, i): RuleStatus => {
    const { count, waitMs } = result.buckets[i]!;
    const { max } = buckets[i]!;
    return {
      rule,
      quota: max,
      remaining: Math.max(0, max - count),
      resetSeconds: Math.ceil(waitMs / 1000),
      exhausted: !result.admitted && count >= max,
    };
  });
  if (result.admitted) return { policy, outcome: local ? "fallback" : "allowed", rules };
  const waits = rules.filter((r) => r.exhausted).map((r) => r.resetSeconds);
  return {
    policy,
    outcome: local ? "fallback_limited" : "limited",
    rules,
    retryAfterSeconds: Math.max(1, ...waits),
  };
}
