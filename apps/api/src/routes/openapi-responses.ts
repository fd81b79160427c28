import { Problem } from "@strata/contracts";

const WHY: Record<number, string> = {
  400: "invalid input: `errors` names each bad field",
  401: "no valid session",
  403: "the session's user may not do this",
  404: "no such resource",
  409: "conflicts with existing state",
  412: "lost update: `currentVersion` and `current` say what is there now",
  413: "the body is larger than BODY_LIMIT_BYTES",
  415: "only application/json bodies are accepted",
  422: "well-formed but not acceptable",
  428: "the version read must be sent (If-Match or `version`)",
  503: "a backing service is unavailable; retry after Retry-After",
};

/** OpenAPI entries for the problem+json responses a route may give. */
export function problemResponses(...statuses: (keyof typeof WHY)[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: WHY[status]!,
        content: { "application/problem+json": { schema: Problem } },
      },
    ]),
  );
}

/** OpenAPI security requirement of routes behind a session (cookie or bearer token). */
export const SESSION_SECURITY: { [scheme: string]: string[] }[] = [{ session: [] }, { bearer: [] }];
