import { queryOptions } from "@tanstack/react-query";
import type { User } from "@strata/contracts";
import { ApiError } from "../api/api-error.ts";
import { me } from "../api/auth-api.ts";
import { queryKeys } from "./query-keys.ts";
import { timingsFor } from "./query-timings.ts";

/** The signed-in user, or null when there is no session (a 401 is an answer, not an error). */
export const meQuery = () =>
  queryOptions({
    queryKey: queryKeys.me(),
    queryFn: async ({ signal }): Promise<User | null> => {
      try {
        return await me(signal);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    ...timingsFor("private"),
    // Private data is always stale (staleTime 0), but refetching it on every page mount only
    // repeats the answer: a session changes through this app's own login and logout, which
    // set the query directly; focus and an expired session (a 401 anywhere) still refetch.
    refetchOnMount: false,
  });
