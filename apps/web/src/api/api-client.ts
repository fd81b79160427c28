import { Problem } from "@strata/contracts";
import type { z } from "zod";
import { ApiError } from "./api-error.ts";

export interface ApiRequest {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  /** Sent as application/json (the API refuses other bodies: its CSRF defence). */
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * The one way the front end calls the API. Responses are parsed with the API's own schemas
 * (@strata/contracts): a changed shape fails typecheck where the page uses it, and at run time
 * here, with a clear error, instead of rendering nonsense.
 *
 * `cache: "no-cache"`: the API's public responses say `stale-while-revalidate`, which browsers
 * honour too, so a plain fetch right after the user's own write could be answered from the
 * browser's stale copy. "no-cache" always revalidates (If-None-Match → usually a cheap 304);
 * TanStack Query's staleTime, from the same cache policy, decides when to fetch at all.
 */
export async function apiFetch<S extends z.ZodType>(
  path: string,
  schema: S,
  request: ApiRequest = {},
): Promise<z.infer<S>> {
  const response = await send(path, request);
  if (response.status === 204) return schema.parse(undefined);
  return schema.parse(await response.json());
}

/** For responses without a body worth reading (204). */
export async function apiSend(path: string, request: ApiRequest = {}): Promise<void> {
  await send(path, request);
}

async function send(path: string, request: ApiRequest): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json", ...request.headers };
  let body: string | undefined;
  if (request.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(request.json);
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method: request.method ?? "GET",
      headers,
      body,
      cache: "no-cache",
      credentials: "same-origin",
      signal: request.signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, undefined);
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

/** An ApiError from a failed response, with its problem+json body when it has one. */
export async function errorOf(response: Response): Promise<ApiError> {
  let problem: Problem | undefined;
  try {
    const parsed = Problem.safeParse(await response.json());
    if (parsed.success) problem = parsed.data;
  } catch {
    // nginx or a proxy answered with something that is not JSON
  }
  return new ApiError(response.status, problem, retryAfter(response.headers.get("retry-after")));
}

export function retryAfter(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
}
