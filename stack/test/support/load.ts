import http from "node:http";

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

const defaultAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

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
 * A request that may be sent again when its connection was closed (reset) before any answer:
 * idempotent methods, and a POST with an Idempotency-Key (the rule of Go's http.Transport;
 * browsers retry such requests too, RFC 9112 §9.3.1). That close is the ordinary race any
 * server's graceful close has: an nginx reload's old workers close the idle connections they
 * hold, reused keep-alive ones and ones accepted just before they stopped. A request that met
 * an answer, even a 502, is never sent again.
 */
const replayable = (request: PlannedRequest): boolean =>
  request.method === "GET" ||
  Object.keys(request.headers ?? {}).some((name) => name.toLowerCase() === "idempotency-key");

/**
 * Sends one request with node:http. `agent` decides connection reuse: a keep-alive agent (the
 * default for a load run) like a browser, or `false` for a fresh connection per request.
 */
export async function send(
  baseUrl: string,
  request: PlannedRequest,
  timeoutMs = 15_000,
  agent: http.Agent | false = defaultAgent,
): Promise<Outcome> {
  const first = await sendOnce(baseUrl, request, timeoutMs, agent);
  if (!first.closedBeforeAnswer || !replayable(request)) return first.outcome;
  // On a new connection: another idle one of the pool may be closing for the same reason.
  const second = await sendOnce(baseUrl, request, timeoutMs, false);
  return { ...second.outcome, retried: true };
}

function sendOnce(
  baseUrl: string,
  request: PlannedRequest,
  timeoutMs: number,
  agent: http.Agent | false,
): Promise<{ outcome: Outcome; closedBeforeAnswer: boolean }> {
  const expected = request.expect ?? (request.method === "GET" ? [200] : [201]);
  const body = request.body !== undefined ? JSON.stringify(request.body) : undefined;
  return new Promise((resolve) => {
    let answered = false;
    const fail = (error: Error & { code?: string }) =>
      resolve({
        outcome: {
          request,
          status: undefined,
          error: `${error.message}${error.code ? ` (${error.code})` : ""}`,
          instance: undefined,
          ok: false,
        },
        closedBeforeAnswer: !answered && (error.code === "ECONNRESET" || error.code === "EPIPE"),
      });
    const req = http.request(
      `${baseUrl}${request.path}`,
      {
        method: request.method,
        agent,
        timeout: timeoutMs,
        headers: {
          ...(body !== undefined
            ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
            : {}),
          ...request.headers,
        },
      },
      (response) => {
        answered = true;
        response.resume();
        response.on("error", fail);
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          const instance = response.headers["x-instance"];
          resolve({
            outcome: {
              request,
              status,
              instance: typeof instance === "string" ? instance : undefined,
              ok: expected.includes(status),
            },
            closedBeforeAnswer: false,
          });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", fail);
    req.end(body);
  });
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
