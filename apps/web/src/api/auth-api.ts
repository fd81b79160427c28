import { Session, User, type LoginRequest, type RegisterRequest } from "@strata/contracts";
import { apiFetch, apiSend } from "./api-client.ts";

export const register = (body: RegisterRequest) =>
  apiFetch("/api/auth/register", User, { method: "POST", json: body });

/** Sets the HttpOnly session cookie; the token in the body is for API clients, not for us. */
export const login = (body: LoginRequest) =>
  apiFetch("/api/auth/login", Session, { method: "POST", json: body });

export const logout = () => apiSend("/api/auth/logout", { method: "POST", json: {} });

export const me = (signal?: AbortSignal) => apiFetch("/api/users/me", User, { signal });
