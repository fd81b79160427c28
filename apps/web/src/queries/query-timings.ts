import { policies, queryTimings, type PolicyName } from "@strata/cache-policy";

/**
 * Test-only: `localStorage["strata.timeScale"]` (a number in (0, 1]) shortens every query's
 * timings by that factor, so a browser test can see staleTime pass without waiting a minute.
 * It can only shorten (a page then refetches sooner, which costs a 304), never lengthen, so a
 * user who sets it harms no one; the numbers themselves still come from the cache policy.
 */
export const TIME_SCALE_KEY = "strata.timeScale";

function timeScale(): number {
  try {
    const value = Number(globalThis.localStorage?.getItem(TIME_SCALE_KEY));
    return value > 0 && value <= 1 ? value : 1;
  } catch {
    return 1;
  }
}

const scale = timeScale();

/** staleTime and gcTime of a query whose response carries the API's policy `name`. */
export function timingsFor(name: PolicyName): { staleTime: number; gcTime: number } {
  const { staleTime, gcTime } = queryTimings(policies[name]);
  return { staleTime: Math.round(staleTime * scale), gcTime: Math.round(gcTime * scale) };
}
