import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBackends, type TestBackends } from "../support/test-api.ts";
import { startInstances, type Instance } from "./support/instances.ts";
import { parseLimitField } from "./support/rate-limit-headers.ts";

const MAX = 3;
const WINDOW_MS = 2000;
let backends: TestBackends;
let apis: Instance[];

beforeAll(async () => {
  backends = await startBackends();
  apis = await startInstances(backends, 3, {
    TRUSTED_PROXIES: "127.0.0.1",
    RATE_LIMIT_DEFAULT_MAX: String(MAX),
    RATE_LIMIT_DEFAULT_WINDOW_S: String(WINDOW_MS / 1000),
  });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled((apis ?? []).map((a) => a.app.close()));
  await backends?.stop();
});

function ping(i: number, client: string): Promise<Response> {
  return fetch(`${apis[i % apis.length]!.url}/api/test/ping`, {
    headers: { "x-forwarded-for": client },
  });
}

describe("the limit holds in every rolling window, across instances", () => {
  it("requests spread over several window edges never exceed the limit in any window", async () => {
    const admitted: { sent: number; received: number }[] = [];
    const started = performance.now();
    let i = 0;
    // ~70 ms apart for 3.5 windows, round-robin over three instances.
    while (performance.now() - started < 3.5 * WINDOW_MS) {
      const sent = performance.now();
      const response = await ping(i++, "198.51.100.10");
      await response.arrayBuffer();
      if (response.status === 200) admitted.push({ sent, received: performance.now() });
      else expect(response.status).toBe(429);
      await new Promise((r) => setTimeout(r, 70));
    }
    // MAX+1 admissions within one window would be proven when the widest reading of their
    // decision times (first sent .. last received) were shorter than the window.
    for (let k = 0; k + MAX < admitted.length; k++) {
      expect(admitted[k + MAX]!.received - admitted[k]!.sent).toBeGreaterThanOrEqual(WINDOW_MS);
    }
    // And the limit does not starve a steady client (a loose bound: the machine is noisy).
    expect(admitted.length).toBeGreaterThanOrEqual(2 * MAX);
  });

  it("a full window followed by a burst right after a fixed-window edge lets nothing extra through", async () => {
    // A fixed window opened by the first request would reset at +2 s and admit MAX more at
    // once; the sliding log admits them only as the first ones leave the window.
    const client = "198.51.100.11";
    const first = await Promise.all([0, 1, 2].map((i) => ping(i, client)));
    const firstAt = performance.now();
    expect(first.map((r) => r.status)).toEqual([200, 200, 200]);
    // Well inside the window, with room for a slow machine.
    await new Promise((r) => setTimeout(r, WINDOW_MS - 800));
    const late = await ping(0, client);
    expect(late.status).toBe(429);
    const retryAfter = Number(late.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
    const reset = parseLimitField(late.headers.get("ratelimit"))[0]!;
    expect(reset).toMatchObject({ name: "default", params: { r: 0 } });
    // Wait until the first three have certainly left the window, then burst 2×MAX.
    await new Promise((r) =>
      setTimeout(r, Math.max(0, firstAt + WINDOW_MS + 300 - performance.now())),
    );
    const burst = await Promise.all(Array.from({ length: 2 * MAX }, (_, i) => ping(i, client)));
    expect(burst.filter((r) => r.status === 200)).toHaveLength(MAX);
    const refused = burst.find((r) => r.status === 429)!;
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({
      type: "https://iana.org/assignments/http-problem-types#quota-exceeded",
      status: 429,
      title: "Too Many Requests",
      "violated-policies": ["default"],
    });
  });
});
