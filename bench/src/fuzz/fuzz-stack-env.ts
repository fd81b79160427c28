/**
 * The sweep runs with the rate limiter on (hostile input goes through it too), its limits
 * raised so thousands of requests from one address are not all answered 429 before they
 * reach validation.
 */
export const FUZZ_STACK_ENV: Record<string, string> = {
  RATE_LIMIT_ENABLED: "true",
  RATE_LIMIT_DEFAULT_MAX: "10000",
  RATE_LIMIT_USERS_MAX: "10000",
  RATE_LIMIT_LOGIN_MAX: "1000",
  RATE_LIMIT_LOGIN_ACCOUNT_MAX: "1000",
};
