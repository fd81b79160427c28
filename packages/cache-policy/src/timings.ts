import type { CachePolicy } from "./policy.ts";

/**
 * TanStack Query timings for a query whose response has `policy`: data is fresh for as long
 * as a shared cache would serve it without asking, and unused data is kept for the whole
 * window in which a stale copy could still be shown.
 */
export function queryTimings(policy: CachePolicy): { staleTime: number; gcTime: number } {
  if (policy.visibility === "private") return { staleTime: 0, gcTime: 5 * 60_000 };
  return {
    staleTime: policy.fresh * 1000,
    gcTime: (policy.fresh + policy.staleWhileRevalidate) * 1000,
  };
}
