import type { Problem } from "@strata/contracts";

/**
 * A failed API call: the HTTP status (0 when no answer came at all), the problem+json body
 * when there was one, and the `Retry-After` seconds of a 429 or 503.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    readonly retryAfterSeconds?: number,
  ) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = "ApiError";
  }

  /** Each bad field of a validation error, by field name without its `body.` prefix. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem?.errors ?? []) {
      const field = e.field.replace(/^(body|querystring|params|headers)\.?/, "") || "form";
      out[field] ??= e.message;
    }
    return out;
  }
}
