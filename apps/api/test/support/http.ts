import { expect } from "vitest";

/** A response as tests read it; the body is parsed JSON, typed loosely on purpose. */
export interface Reply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on shapes
  body: any;
}

/** A JSON request against a test instance; returns status, headers and the parsed body. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  {
    body,
    token,
    headers = {},
    raw,
  }: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string } = {},
): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...headers } };
  const h = init.headers as Record<string, string>;
  if (token) h.authorization = `Bearer ${token}`;
  if (raw !== undefined) {
    init.body = raw;
    h["content-type"] ??= "application/json";
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    h["content-type"] ??= "application/json";
  }
  const response = await fetch(baseUrl + path, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Asserts an RFC 9457 problem response with `status`. */
export function expectProblem(response: Reply, status: number): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, title: expect.any(String) });
}
