import type { z } from "zod";
import type { rateLimitVars } from "./variables.ts";

/** What a limiter does while the state Redis cannot be reached. */
export type RedisOutageMode = "fail-closed" | "local";

/** A limit: at most `max` requests in any rolling window of `windowSeconds`. */
export interface LimitNumbers {
  max: number;
  windowSeconds: number;
}

/** The rate-limit settings; apps/api/src/rate-limit/policies.ts turns them into policies. */
export interface RateLimitConfig {
  enabled: boolean;
  login: { address: LimitNumbers; account: LimitNumbers; onRedisError: RedisOutageMode };
  usersList: LimitNumbers;
  default: LimitNumbers;
  /** Divides every limit for the per-instance fallback, so the cluster stays near the policy. */
  expectedInstances: number;
  /** How long limiters use their fallback after a Redis failure before they try Redis again. */
  redisRetryMs: number;
}

type RateLimitValues = z.infer<z.ZodObject<typeof rateLimitVars>> & { NODE_ENV: string };

/** Cross-variable rules of the RATE_LIMIT_* group; pushed into `problems` with the rest. */
export function checkRateLimitValues(v: RateLimitValues, problems: string[]): void {
  // A production instance without limits is an open door for password guessing.
  if (v.NODE_ENV === "production" && !v.RATE_LIMIT_ENABLED) {
    problems.push("RATE_LIMIT_ENABLED=false is refused in production");
  }
}

export function toRateLimitConfig(v: RateLimitValues): RateLimitConfig {
  return {
    enabled: v.RATE_LIMIT_ENABLED,
    login: {
      address: { max: v.RATE_LIMIT_LOGIN_MAX, windowSeconds: v.RATE_LIMIT_LOGIN_WINDOW_S },
      account: { max: v.RATE_LIMIT_LOGIN_ACCOUNT_MAX, windowSeconds: v.RATE_LIMIT_LOGIN_WINDOW_S },
      onRedisError: v.RATE_LIMIT_LOGIN_ON_REDIS_ERROR,
    },
    usersList: { max: v.RATE_LIMIT_USERS_MAX, windowSeconds: v.RATE_LIMIT_USERS_WINDOW_S },
    default: { max: v.RATE_LIMIT_DEFAULT_MAX, windowSeconds: v.RATE_LIMIT_DEFAULT_WINDOW_S },
    expectedInstances: v.RATE_LIMIT_EXPECTED_INSTANCES,
    redisRetryMs: v.RATE_LIMIT_REDIS_RETRY_MS,
  };
}
