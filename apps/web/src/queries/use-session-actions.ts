import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { LoginRequest, RegisterRequest } from "@strata/contracts";
import { login, logout, register } from "../api/auth-api.ts";
import { queryKeys } from "./query-keys.ts";

/**
 * Login, registration and logout as mutations that keep the `me` query right without a
 * refetch. Logout also drops every private query, so the next user of this browser tab never
 * sees the last one's data.
 */
export function useSessionActions() {
  const client = useQueryClient();
  const loginMutation = useMutation({
    mutationFn: (body: LoginRequest) => login(body),
    onSuccess: (session) => client.setQueryData(queryKeys.me(), session.user),
  });
  const registerMutation = useMutation({
    mutationFn: async (body: RegisterRequest) => {
      await register(body);
      return login(body);
    },
    onSuccess: (session) => client.setQueryData(queryKeys.me(), session.user),
  });
  const logoutMutation = useMutation({
    mutationFn: () => logout(),
    onSettled: () => {
      client.setQueryData(queryKeys.me(), null);
      client.removeQueries({ queryKey: queryKeys.ops() });
      client.removeQueries({ queryKey: ["imports"] });
    },
  });
  return { login: loginMutation, register: registerMutation, logout: logoutMutation };
}
