import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import { PROBLEM_CONTENT_TYPE } from "./problem.ts";

/** Node's parser (llhttp) and timeout codes, and what each tells the client. */
const STATUS_BY_CODE: Record<string, { status: number; title: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    title: "Request Header Fields Too Large",
    detail: "the request's headers are larger than this server accepts",
  },
  HPE_INVALID_METHOD: {
    status: 501,
    title: "Not Implemented",
    detail: "the request uses a method this server does not support",
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    title: "Content Too Large",
    detail: "a chunk extension is larger than this server accepts",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    title: "Request Timeout",
    detail: "the request was not received in time",
  },
};

const NOT_HTTP = {
  status: 400,
  title: "Bad Request",
  detail: "the request is not valid HTTP",
};

/**
 * Answers a request Node could not parse (Fastify's `clientErrorHandler`). Fastify's default
 * answers without `Connection: close` and then closes the socket, so a client that keeps
 * connections (nginx's upstream pool) may send its next request into a closed socket; saying
 * so lets it drop the connection at once. The body is problem+json, like every other error.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
): void {
  // A reset connection has nobody left to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const problem = STATUS_BY_CODE[error.code ?? ""] ?? NOT_HTTP;
  this.log.debug({ code: error.code }, "unparseable request");
  // Only when no answer has started on this connection: writing into one would corrupt it.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    writeProblem(socket, problem, this.config.instanceId);
  }
  socket.destroy(error);
}

/**
 * Answers `CONNECT` (the node:http server's `connect` event): without a listener Node closes
 * the socket without a word. strata is no proxy; nginx answers the same method with 405.
 */
export function connectRefusal(instanceId: string) {
  return (_request: unknown, socket: Duplex): void => {
    if (socket.writable) {
      writeProblem(
        socket,
        {
          status: 405,
          title: "Method Not Allowed",
          detail: "this server is not a proxy; CONNECT is not accepted",
        },
        instanceId,
      );
    }
    socket.destroy();
  };
}

/**
 * Answers an `Expect` other than 100-continue (the node:http server's `checkExpectation`
 * event): without a listener Node sends a bare 417 with an empty body.
 */
export function expectationRefusal(instanceId: string) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    endWithProblem(
      response,
      {
        status: 417,
        title: "Expectation Failed",
        detail: `Expect: ${String(request.headers.expect).slice(0, 100)} is not supported; only 100-continue is`,
      },
      instanceId,
    );
  };
}

type Answer = { status: number; title: string; detail: string };

/** The headers and body of a hand-written answer: what every response carries (X-Instance). */
function answerOf(problem: Answer, instanceId: string) {
  const body = JSON.stringify({ type: "about:blank", ...problem });
  const headers = {
    "X-Instance": instanceId,
    "Content-Type": PROBLEM_CONTENT_TYPE,
    "Content-Length": String(Buffer.byteLength(body)),
    "Cache-Control": "no-store",
    Connection: "close",
  };
  return { headers, body };
}

/** Through node:http's response (an Expect it refuses has one). */
function endWithProblem(response: ServerResponse, problem: Answer, instanceId: string): void {
  const { headers, body } = answerOf(problem, instanceId);
  response.writeHead(problem.status, headers);
  response.end(body);
}

/** Onto the socket itself: no request object exists for what Node could not parse. */
function writeProblem(socket: Duplex, problem: Answer, instanceId: string): void {
  const { headers, body } = answerOf(problem, instanceId);
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.write(`HTTP/1.1 ${problem.status} ${problem.title}\r\n${lines.join("")}\r\n${body}`);
}
