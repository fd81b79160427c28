import type http from "node:http";
import { replayingRequest } from "../../src/replaying-request.ts";

export interface PlannedRequest {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses that count as success; default 200 for GET, 201 for POST. */
  expect?: number[];
}

export interface Outcome {
  request: PlannedRequest;
  status: number | undefined;
  error?: string;
  instance: string | undefined;
  ok: boolean;
  /** Sent a second time after its connection was reset before any answer. */
  retried?: boolean;
}

/**
 * Headers that make nginx pass a public read through to the instances instead of answering
 * it from its cache (nginx bypasses its cache for any request with credentials): what these
 * load tests measure is the upstream side, which cache hits would hide.
 */
export const BYPASS_NGINX_CACHE = { authorization: "Bearer load-test-bypass" };

export interface LoadRun {
  /** Stops issuing new requests, waits for those in flight, returns every outcome. */
  stop(): Promise<Outcome[]>;
  /** Resolves once `maxRequests` have been answered (or stop() was called). */
  readonly finished: Promise<Outcome[]>;
  /** Outcomes so far. */
  readonly outcomes: readonly Outcome[];
}

/**
 * A bounded closed-loop load on 127.0.0.1: `concurrency` loops, each sending its next request
 * when the previous one finished, until stop() or `maxRequests`. Every outcome is recorded
 * (status, X-Instance, error), so a test can say exactly which requests failed.
 */
export function startLoad(options: {
  baseUrl: string;
  concurrency: number;
  next: (n: number) => PlannedRequest;
  maxRequests?: number;
  timeoutMs?: number;
  /** Connection reuse; a keep-alive agent by default. */
  agent?: http.Agent | false;
}): LoadRun {
  const outcomes: Outcome[] = [];
  const max = options.maxRequests ?? 200_000;
  let issued = 0;
  let stopped = false;
  const loop = async () => {
    while (!stopped && issued < max) {
      const request = options.next(issued++);
      outcomes.push(
        await send(options.baseUrl, request, options.timeoutMs ?? 15_000, options.agent),
      );
    }
  };
  const loops = Array.from({ length: options.concurrency }, loop);
  const finished = Promise.all(loops).then(() => outcomes);
  return {
    outcomes,
    finished,
    stop() {
      stopped = true;
      return finished;
    },
  };
}

/**
 * Sends one request; `agent` decides connection reuse: a keep-alive agent (the default for a
 * load run) like a browser, or `false` for a fresh connection per request. A repeatable
 * request whose connection closed before any answer is sent once more (replayingRequest).
 */
export async function send(
  baseUrl: string,
  request: PlannedRequest,
  timeoutMs = 15_000,
  agent?: http.Agent | false,
): Promise<Outcome> {
  const expected = request.expect ?? (request.method === "GET" ? [200] : [201]);
  const body = request.body !== undefined ? JSON.stringify(request.body) : undefined;
  const answer = await replayingRequest(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...request.headers,
    },
    ...(body !== undefined ? { body } : {}),
    timeoutMs,
    ...(agent !== undefined ? { agent } : {}),
  });
  const instance = answer.headers["x-instance"];
  return {
    request,
    status: answer.status,
    ...(answer.errorMessage !== undefined ? { error: answer.errorMessage } : {}),
    instance: typeof instance === "string" ? instance : undefined,
    ok: answer.status !== undefined && expected.includes(answer.status),
    ...(answer.replayed ? { retried: true } : {}),
  };
}

/** Counts of answers per X-Instance. */
export function byInstance(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.instance ?? "none";
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** A short description of the failures, for assertion messages. */
export function describeFailures(outcomes: readonly Outcome[]): string {
  return outcomes
    .filter((o) => !o.ok)
    .slice(0, 10)
    .map((o) => `${o.request.method} ${o.request.path} → ${o.status ?? o.error}`)
    .join("\n");
}
