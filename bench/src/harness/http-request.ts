import http from "node:http";
import { assertLoopback } from "../load/loopback.ts";

export interface HttpAnswer {
  status: number | undefined;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** Socket-level failure (refused, reset, timeout), when there was no answer. */
  error?: string;
  /** Sent a second time after its connection was reset before any answer. */
  replayed?: boolean;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One request with node:http, over a shared keep-alive agent like a browser's. Never throws:
 * a failure is an answer without a status, so load loops can count it. Like a browser (and
 * Go's http.Transport), it sends a request once more when its connection was closed before any
 * answer — the race every graceful close has: an nginx reload's old workers close the idle
 * connections they hold, a reused keep-alive one or one they accepted just before stopping —
 * if the request may be repeated: a GET or HEAD, or one with an Idempotency-Key. A request
 * that met an answer, even a 502, is never repeated.
 */
export async function httpRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    timeoutMs?: number;
    agent?: http.Agent | false;
  } = {},
): Promise<HttpAnswer> {
  assertLoopback(url);
  const first = await sendOnce(url, options);
  if (!first.closedBeforeAnswer || !replayable(options)) return first.answer;
  // On a new connection: another idle one of the pool may be closing for the same reason.
  return { ...(await sendOnce(url, { ...options, agent: false })).answer, replayed: true };
}

function replayable(options: { method?: string; headers?: Record<string, string> }): boolean {
  const method = (options.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return true;
  return Object.keys(options.headers ?? {}).some((h) => h.toLowerCase() === "idempotency-key");
}

function sendOnce(
  url: string,
  options: Parameters<typeof httpRequest>[1] & object,
): Promise<{ answer: HttpAnswer; closedBeforeAnswer: boolean }> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve) => {
    let answered = false;
    const fail = (error: Error & { code?: string }) =>
      resolve({
        answer: { status: undefined, body: "", headers: {}, error: error.code ?? error.message },
        closedBeforeAnswer: !answered && (error.code === "ECONNRESET" || error.code === "EPIPE"),
      });
    const req = http.request(
      url,
      {
        method: options.method ?? "GET",
        agent: options.agent ?? agent,
        timeout: timeoutMs,
        headers: {
          ...(options.body !== undefined
            ? { "content-length": String(Buffer.byteLength(options.body)) }
            : {}),
          ...options.headers,
        },
      },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", fail);
        response.on("end", () =>
          resolve({
            answer: {
              status: response.statusCode,
              body: Buffer.concat(chunks).toString("utf8"),
              headers: response.headers,
            },
            closedBeforeAnswer: false,
          }),
        );
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", fail);
    req.end(options.body);
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
