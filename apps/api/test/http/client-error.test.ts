import net from "node:net";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_MAX_HEADER_BYTES, NGINX_HEADER_BUFFERS } from "@strata/config";
import { buildApp } from "../../src/app.ts";
import { startBackends, testConfig, type TestBackends } from "../support/test-api.ts";

let backends: TestBackends;
let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  backends = await startBackends();
  app = await buildApp(testConfig(backends));
  await app.listen({ host: "127.0.0.1", port: 0 });
  port = (app.server.address() as AddressInfo).port;
}, 60_000);
afterAll(async () => {
  await app?.close();
  await backends?.stop();
});

/**
 * Sends `request` and then, on the same connection, a plain GET; resolves with everything
 * read until the server closes it.
 */
function exchange(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(request));
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    socket.on("end", () => resolve(answer));
    socket.on("error", (error: Error & { code?: string }) =>
      error.code === "ECONNRESET" ? resolve(answer) : reject(error),
    );
  });
}

const head = (answer: string) => answer.split("\r\n\r\n")[0]!.toLowerCase();
const body = (answer: string) => JSON.parse(answer.split("\r\n\r\n")[1]!) as { status: number };

describe("requests Node cannot parse or route", () => {
  it("get problem+json with Connection: close, so a pooled client drops the connection", async () => {
    const cases: [string, number][] = [
      ["FOO /api/products HTTP/1.1\r\nHost: x\r\n\r\n", 501],
      ["CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 405],
      ["GET /api/categories HTTP/1.1\r\n\r\n", 400],
      [
        "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: foo\r\n\r\n{}",
        417,
      ],
      ["GET /api/products HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400],
      [
        `GET /api/products HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(API_MAX_HEADER_BYTES)}\r\n\r\n`,
        431,
      ],
    ];
    for (const [request, status] of cases) {
      const answer = await exchange(request);
      const label = request.slice(0, 30);
      expect(answer.split("\r\n")[0], label).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(head(answer), label).toContain("connection: close");
      expect(head(answer), label).toContain("content-type: application/problem+json");
      expect(head(answer), label).toMatch(/cache-control: (private, )?no-store/);
      expect(head(answer), label).toMatch(/^x-instance: \S+$/m);
      expect(body(answer), label).toMatchObject({ status });
    }
  });

  it("accept every head nginx forwards: its whole header budget, plus nginx's own headers", async () => {
    // As many full header lines as nginx's buffers hold (each line a little under one buffer).
    const lines = Array.from(
      { length: NGINX_HEADER_BUFFERS.count - 1 },
      (_, i) => `X-Pad-${i}: ${"a".repeat(NGINX_HEADER_BUFFERS.bytes - 100)}\r\n`,
    ).join("");
    const answer = await exchange(
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: ${"f".repeat(32)}\r\nX-Forwarded-For: 127.0.0.1\r\n${lines}Connection: close\r\n\r\n`,
    );
    expect(answer.startsWith("HTTP/1.1 200 "), answer.slice(0, 200)).toBe(true);
  });
});
