import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayingRequest } from "../src/replaying-request.ts";

/**
 * A server that resets the connection of the first request to each path without answering
 * (what an nginx reload's old worker does to an idle keep-alive connection), and answers every
 * later one; `/bad-gateway` answers 502 each time. It counts the requests it saw per path.
 */
let server: http.Server;
let base: string;
const seen = new Map<string, number>();

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const path = request.url!;
    const count = (seen.get(path) ?? 0) + 1;
    seen.set(path, count);
    request.resume();
    if (path === "/bad-gateway") {
      response.statusCode = 502;
      return response.end("no");
    }
    if (count === 1) return request.socket.destroy();
    response.end(`answer ${count}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("replayingRequest", () => {
  it("sends a GET once more when its connection closed before any answer", async () => {
    const answer = await replayingRequest(`${base}/get`);
    expect(answer).toMatchObject({ status: 200, body: "answer 2", replayed: true });
    expect(seen.get("/get")).toBe(2);
  });

  it("never repeats a POST without an Idempotency-Key: the failure is its answer", async () => {
    const answer = await replayingRequest(`${base}/post`, { method: "POST", body: "{}" });
    expect(answer.status).toBeUndefined();
    expect(answer.error).toMatch(/ECONNRESET|EPIPE|socket hang up/);
    expect(answer.replayed).toBeUndefined();
    expect(seen.get("/post")).toBe(1);
  });

  it("repeats a POST that carries an Idempotency-Key", async () => {
    const answer = await replayingRequest(`${base}/keyed`, {
      method: "POST",
      body: "{}",
      headers: { "Idempotency-Key": "k-1" },
    });
    expect(answer).toMatchObject({ status: 200, replayed: true });
    expect(seen.get("/keyed")).toBe(2);
  });

  it("never repeats a request that met an answer, even a 502", async () => {
    const answer = await replayingRequest(`${base}/bad-gateway`);
    expect(answer.status).toBe(502);
    expect(answer.replayed).toBeUndefined();
    expect(seen.get("/bad-gateway")).toBe(1);
  });

  it("answers a refused connection without throwing", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const answer = await replayingRequest(`http://127.0.0.1:${port}/`, { agent: false });
    expect(answer).toMatchObject({ status: undefined, error: "ECONNREFUSED" });
  });
});
