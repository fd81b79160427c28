import type { FastifyReply } from "fastify";
import { cacheControl, policies, type CachePolicy } from "@strata/cache-policy";

/** RFC 9457 problem details; `errors` lists each bad field of a validation failure. */
export interface Problem {
  type?: string;
  status: number;
  title: string;
  detail?: string;
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/**
 * Sends a problem+json response: private, never stored by anyone, unless the caller passes
 * the policy of a cacheable 404 (see sendCached).
 */
export function sendProblem(
  reply: FastifyReply,
  problem: Problem,
  policy: CachePolicy = policies.private,
): FastifyReply {
  return reply
    .code(problem.status)
    .header("content-type", PROBLEM_CONTENT_TYPE)
    .header("cache-control", cacheControl(policy))
    .send(JSON.stringify({ type: "about:blank", ...problem }));
}

/** An error a route throws on purpose: it becomes a problem+json response as it is. */
export class HttpProblem extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail ?? problem.title);
    this.name = "HttpProblem";
  }
}

export const problems = {
  badRequest: (detail: string, errors?: Problem["errors"]) =>
    new HttpProblem({ status: 400, title: "Bad Request", detail, ...(errors ? { errors } : {}) }),
  unauthorized: (detail = "log in first") =>
    new HttpProblem({ status: 401, title: "Unauthorized", detail }),
  forbidden: (detail = "you are not allowed to do this") =>
    new HttpProblem({ status: 403, title: "Forbidden", detail }),
  notFound: (detail = "no such resource") =>
    new HttpProblem({ status: 404, title: "Not Found", detail }),
  conflict: (detail: string) => new HttpProblem({ status: 409, title: "Conflict", detail }),
  preconditionFailed: (detail: string, extra: Record<string, unknown> = {}) =>
    new HttpProblem({ status: 412, title: "Precondition Failed", detail, ...extra }),
  unavailable: (detail: string, retryAfterSeconds = 1) =>
    new HttpProblem(
      { status: 503, title: "Service Unavailable", detail },
      { "retry-after": String(retryAfterSeconds) },
    ),
};
