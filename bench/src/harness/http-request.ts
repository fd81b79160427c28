import http from "node:http";
import { assertLoopback } from "../load/loopback.ts";

export interface HttpAnswer {
  status: number | undefined;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** Socket-level failure (refused, reset, timeout), when there was no answer. */
  error?: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One request with node:http, over a shared keep-alive agent like a browser's. Never throws:
 * a failure is an answer without a status, so load loops can count it.
 */
export function httpRequest(
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
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve) => {
    const fail = (error: Error & { code?: string }) =>
      resolve({ status: undefined, body: "", headers: {}, error: error.code ?? error.message });
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
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", fail);
        response.on("end", () =>
          resolve({
            status: response.statusCode,
            body: Buffer.concat(chunks).toString("utf8"),
            headers: response.headers,
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
