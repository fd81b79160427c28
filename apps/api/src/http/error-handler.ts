import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { CacheUnavailableError } from "@strata/cache";
import { DatabaseUnavailableError, PoolExhaustedError, isTransientQueryError } from "@strata/db";
import { HttpProblem, sendProblem, type Problem } from "./problem.ts";

/**
 * Turns every error into problem+json. Known failures get their own status; anything else is
 * a 500 whose detail never leaks internals (the log has them, tagged with the request id).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, {
      status: 404,
      title: "Not Found",
      detail: `no route for ${request.method} ${request.url.split("?")[0]}`,
    }),
  );

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpProblem) {
      reply.headers(error.headers);
      return sendProblem(reply, error.problem);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? "request";
      const seen = new Set<string>();
      const errors = error.validation
        .flatMap((issue) => {
          const path = [
            where,
            ...(issue.instancePath ? issue.instancePath.split("/").filter(Boolean) : []),
          ];
          const unknown = (issue.params as { keys?: string[] } | undefined)?.keys;
          // One entry per unknown field, so a client can point at each of them.
          if (issue.keyword === "unrecognized_keys" && unknown?.length) {
            return unknown.map((key) => ({
              field: [...path, key].join("."),
              message: "is not a known field",
            }));
          }
          return [
            {
              field: path.concat(issueKeys(issue)).join("."),
              message: issue.message ?? "is invalid",
            },
          ];
        })
        // zod 4 may add a second issue for a field whose type is already wrong (a length
        // check on an array): the first says what is wrong.
        .filter((e) => !seen.has(e.field) && seen.add(e.field));
      return sendProblem(reply, {
        status: 400,
        title: "Bad Request",
        detail: `invalid ${where}: ${errors.map((e) => `${e.field} ${e.message}`).join("; ")}`,
        errors,
      });
    }
    const unavailable = unavailableProblem(error);
    if (unavailable) {
      request.log.warn({ err: (error as Error).message }, unavailable.detail);
      reply.header("retry-after", String(unavailable.retryAfterSeconds));
      return sendProblem(reply, {
        status: 503,
        title: "Service Unavailable",
        detail: unavailable.detail,
      });
    }
    const status =
      typeof error.statusCode === "number" && error.statusCode >= 400 ? error.statusCode : 500;
    if (status < 500) {
      // Fastify's own client errors: malformed JSON, body too large, bad content type ...
      return sendProblem(reply, { status, title: titleOf(status), detail: clientDetail(error) });
    }
    request.log.error({ err: error }, "unhandled error");
    return sendProblem(reply, {
      status: 500,
      title: "Internal Server Error",
      detail: "something went wrong on our side",
    });
  });
}

/**
 * Fastify's `frameworkErrors` option: errors the router raises before any hook runs (a URL
 * that is not valid percent-encoded UTF-8, a path parameter over maxParamLength) would
 * otherwise be answered with Fastify's own JSON, not problem+json.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
    return sendProblem(reply, {
      status: 414,
      title: "URI Too Long",
      detail: "a path segment of the URL is too long",
    });
  }
  return sendProblem(reply, {
    status: 400,
    title: "Bad Request",
    detail: "the URL is not valid (percent-encoding that is not UTF-8?)",
  });
}

/** A backing service that cannot answer now: a 503 whose Retry-After fits the cause. */
function unavailableProblem(
  error: unknown,
): { detail: string; retryAfterSeconds: number } | undefined {
  if (error instanceof PoolExhaustedError)
    return { detail: "the server is busy; retry shortly", retryAfterSeconds: 1 };
  if (error instanceof DatabaseUnavailableError) {
    return { detail: "the database is unavailable; retry shortly", retryAfterSeconds: 5 };
  }
  if (error instanceof CacheUnavailableError)
    return { detail: error.message, retryAfterSeconds: 5 };
  // A statement timeout, a lock wait, a deadlock: the request may pass when sent again.
  if (isTransientQueryError(error)) {
    return {
      detail: "the database could not finish this in time; retry shortly",
      retryAfterSeconds: 1,
    };
  }
  return undefined;
}

function issueKeys(issue: { params?: unknown }): string[] {
  const params = issue.params as
    { missingProperty?: string; additionalProperty?: string; keys?: string[] } | undefined;
  if (params?.missingProperty) return [params.missingProperty];
  if (params?.additionalProperty) return [params.additionalProperty];
  if (params?.keys?.length) return [params.keys.join(",")];
  return [];
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
};

function titleOf(status: number): string {
  return TITLES[status] ?? "Bad Request";
}

function clientDetail(error: FastifyError): string {
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "the request body is larger than this endpoint accepts";
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "unsupported content type; send application/json";
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "the JSON body is empty";
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    default:
      if (error instanceof SyntaxError || /JSON/.test(error.message))
        return "the body is not valid JSON";
      return error.message;
  }
}

export type { Problem };
