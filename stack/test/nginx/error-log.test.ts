import { describe, expect, it } from "vitest";
import { upstreamFailures } from "../../src/nginx/error-log.ts";

// Lines in nginx 1.22's format: RESET, DISABLED and BODY copied from this project's runs.
const RESET =
  '2026/12/04 04:30:55 [error] 6299#6299: *831 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.0.1, server: _, request: "GET /api/products/../users HTTP/1.1", upstream: "http://127.0.0.1:34703/api/products/../users", host: "127.0.0.1"';
const DISABLED =
  '2026/12/04 04:30:55 [warn] 6299#6299: *831 upstream server temporarily disabled while reading response header from upstream, client: 127.0.0.1, server: _, request: "GET /api/products/../users HTTP/1.1", upstream: "http://127.0.0.1:34703/api/products/../users", host: "127.0.0.1"';
const BUFFERED =
  '2026/12/04 04:30:53 [warn] 6300#6300: *12 an upstream response is buffered to a temporary file /tmp/x/proxy/1/00/0000000001 while reading upstream, client: 127.0.0.1, server: _, request: "GET /api/docs/json HTTP/1.1", upstream: "http://127.0.0.1:4001/api/docs/json", host: "127.0.0.1"';
const BODY =
  '2026/12/04 04:30:53 [warn] 6300#6300: *57 a client request body is buffered to a temporary file /tmp/x/client_body/0000000008, client: 127.0.0.1, server: _, request: "POST /api/products HTTP/1.1", host: "127.0.0.1"';

describe("nginx error log", () => {
  it("picks out an instance failing a request, not nginx buffering to disk", () => {
    expect(upstreamFailures([BODY, RESET, BUFFERED, DISABLED, ""].join("\n"))).toEqual([
      RESET,
      DISABLED,
    ]);
  });
});
