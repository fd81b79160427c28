import type { LimitNumbers, RateLimitConfig, RedisOutageMode } from "@strata/config";
import type { LeaseOptions } from "./permit-leases.ts";

/**
 * What a request is counted under:
 * - `address`: the client address (`clientKey`: IPv4, or the IPv6 /64);
 * - `account`: the normalised email a login names, whoever sends it;
 * - `user`: the signed-in user's id, or the client address on a request without a session.
 */
export type PartitionKind = "address" | "account" | "user";

/** One counter: at most `max` requests in any rolling window of `windowSeconds`. */
export interface LimitRule extends LimitNumbers {
  /** Also the policy name in the RateLimit headers and the metric label. */
  name: string;
  partition: PartitionKind;
  /** Redis key prefix; no two rules share one. */
  keyPrefix: string;
  /** The per-instance limit used while Redis is down (mode "local"). */
  localMax: number;
}

export type PolicyName = "login" | "users-list" | "default";

/**
 * A route's limit: a request passes only if every rule has room, and then counts in all of
 * them (one atomic Redis call). `algorithm` is stated for readers and for /metrics users.
 */
export interface RateLimitPolicy {
  name: PolicyName;
  algorithm: "sliding-log";
  rules: LimitRule[];
  onRedisError: RedisOutageMode;
  /**
   * Permit leases (permit-leases.ts): still exact, far fewer Redis calls for a busy key.
   * Single-rule policies only. Off for login and users-list, where one call per request
   * costs little next to the work behind them and a refusal must never wait on a lease.
   */
  lease?: LeaseOptions;
}

/**
 * The lease length L. Longer leases save more calls for a client that sends a few requests a
 * second, but a counted request may stay in the window up to L longer (Retry-After grows by
 * up to L) and permits an instance leaves unused are withheld from the others for up to L.
 * A busy client uses a batch up well within it.
 */
export const PERMIT_LEASE_MS = 300;

/** Permits a key's first reservation asks for: about one Redis call per 32 reads. */
export const PERMIT_LEASE_FIRST_BATCH = 32;

/**
 * Most permits one reservation asks for, reached by a key busy enough to use half a batch
 * within a quarter of L (about 7,000 requests/s and more at 1,024). Bounded because the
 * permits an instance leaves unused are withheld from the others until its lease ends.
 */
export const PERMIT_LEASE_MAX_BATCH = 1024;

/** Every Redis key of the limiters starts with this, then the rule's name. */
export const KEY_NAMESPACE = "ratelimit:";

/**
 * The policies, from the environment. Login is counted per address and per account, so
 * neither one address guessing many passwords nor many addresses guessing one succeed;
 * reads fail open to a local limit when Redis is down, login fails closed by default
 * (without Redis no session can be created anyway).
 */
export function buildPolicies(config: RateLimitConfig): Record<PolicyName, RateLimitPolicy> {
  const rule = (name: string, partition: PartitionKind, numbers: LimitNumbers): LimitRule => ({
    name,
    partition,
    ...numbers,
    keyPrefix: `${KEY_NAMESPACE}${name}:`,
    // Floor, not round: with every expected instance in use the cluster stays at or under the
    // policy (more instances than expected would exceed it; the variable says so).
    localMax: Math.max(1, Math.floor(numbers.max / config.expectedInstances)),
  });
  const policies: Record<PolicyName, RateLimitPolicy> = {
    login: {
      name: "login",
      algorithm: "sliding-log",
      rules: [
        rule("login-address", "address", config.login.address),
        rule("login-account", "account", config.login.account),
      ],
      onRedisError: config.login.onRedisError,
    },
    "users-list": {
      name: "users-list",
      algorithm: "sliding-log",
      rules: [rule("users-list", "user", config.usersList)],
      onRedisError: "local",
    },
    default: {
      name: "default",
      algorithm: "sliding-log",
      rules: [rule("default", "user", config.default)],
      onRedisError: "local",
      lease: {
        firstBatch: PERMIT_LEASE_FIRST_BATCH,
        maxBatch: PERMIT_LEASE_MAX_BATCH,
        ms: PERMIT_LEASE_MS,
        shareDivisor: 2 * config.expectedInstances,
      },
    },
  };
  assertDistinctPrefixes(Object.values(policies));
  for (const policy of Object.values(policies)) {
    if (policy.lease && policy.rules.length !== 1) {
      throw new Error(`rate-limit policy ${policy.name}: leases need exactly one rule`);
    }
  }
  return policies;
}

/** Two rules sharing a prefix would share counters: refuse that at start-up. */
export function assertDistinctPrefixes(policies: RateLimitPolicy[]): void {
  const prefixes = policies.flatMap((p) => p.rules.map((r) => r.keyPrefix));
  for (const prefix of prefixes) {
    const clash = prefixes.find((other) => other !== prefix && other.startsWith(prefix));
    if (clash || prefixes.indexOf(prefix) !== prefixes.lastIndexOf(prefix)) {
      throw new Error(`rate-limit key prefix ${prefix} is not unique (${clash ?? prefix})`);
    }
  }
}
