import http from "node:http";

/** What one request came to; a socket-level failure is an answer without a status. */
export interface HttpAnswer {
  status: number | undefined;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** The failure's code (ECONNREFUSED, ECONNRESET, TIMEOUT ...) or message, when unanswered. */
  error?: string;
  /** The failure in words, code included, for messages. */
  errorMessage?: string;
  /** Sent a second time after its connection was reset before any answer. */
  replayed?: boolean;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  /** A keep-alive agent like a browser's by default; `false` for a fresh connection. */
  agent?: http.Agent | false;
}

const sharedAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One request with node:http that never throws, for load clients (the bench, the drill and the
 * stack's tests). Like a browser (and Go's http.Transport, RFC 9112 §9.3.1), it sends a request
 * once more, on a new connection, when its connection was closed before any answer, if the
 * request may be repeated: a GET or HEAD, or one with an Idempotency-Key. That close is the race
 * every graceful close has: an nginx reload's old workers close the idle connections they hold,
 * a reused keep-alive one or one they accepted just before stopping. A request that met an
 * answer, even a 502, is never sent again.
 */
export async function replayingRequest(
  url: string,
  options: HttpRequestOptions = {},
): Promise<HttpAnswer> {
  const first = await sendOnce(url, options);
  if (!first.closedBeforeAnswer || !mayReplay(options)) return first.answer;
  // On a new connection: another idle one of the pool may be closing for the same reason.
  return { ...(await sendOnce(url, { ...options, agent: false })).answer, replayed: true };
}

function mayReplay(options: HttpRequestOptions): boolean {
  const method = (options.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return true;
  return Object.keys(options.headers ?? {}).some((h) => h.toLowerCase() === "idempotency-key");
}

function sendOnce(
  url: string,
  options: HttpRequestOptions,
): Promise<{ answer: HttpAnswer; closedBeforeAnswer: boolean }> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve) => {
    let answered = false;
    const fail = (error: Error & { code?: string }) =>
      resolve({
        answer: {
          status: undefined,
          body: "",
          headers: {},
          error: error.code ?? error.message,
          errorMessage: `${error.message}${error.code ? ` (${error.code})` : ""}`,
        },
        closedBeforeAnswer: !answered && (error.code === "ECONNRESET" || error.code === "EPIPE"),
      });
    const req = http.request(
      url,
      {
        method: options.method ?? "GET",
        agent: options.agent ?? sharedAgent,
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
    req.on("timeout", () =>
      req.destroy(
        Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "TIMEOUT" }),
      ),
    );
    req.on("error", fail);
    req.end(options.body);
  });
}
