import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NginxPurger } from "../src/nginx-purge.ts";
import { startTestRedis } from "../../../test/support/redis.ts";

let redis: Awaited<ReturnType<typeof startTestRedis>>;
let client: Redis;
let server: http.Server;
let baseUrl: string;
/** What the fake nginx refresh listener saw: order of arrival and the most at once. */
const seen: string[] = [];
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  redis = await startTestRedis("allkeys-lru");
  client = new Redis(redis.url);
  server = http.createServer((request, response) => {
    seen.push(request.url ?? "");
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // Like an instance answering a cache miss: a few milliseconds each.
    setTimeout(() => {
      inFlight--;
      response.end();
    }, 5);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  client?.disconnect();
  await new Promise((resolve) => server?.close(resolve));
  await redis?.stop();
});

describe("NginxPurger", () => {
  it("refreshes the written item's own URL first and bounds the refreshes in flight", async () => {
    const purger = new NginxPurger({
      redis: client,
      baseUrls: [baseUrl],
      timeoutMs: 1000,
      concurrency: 4,
      logger: { warn: () => {} },
    });
    // Many list pages and searches recorded under the broad tag, before and after the item.
    for (let i = 0; i < 40; i++) await purger.record(["products"], `/api/products?q=a${i}`, 60);
    await purger.record(["products", "product:7"], "/api/products/7", 60);
    for (let i = 0; i < 40; i++) await purger.record(["products"], `/api/products?q=b${i}`, 60);

    const refreshed = await purger.purge(["products", "product:7"]);

    expect(refreshed).toBe(81);
    expect(seen).toHaveLength(81);
    expect(new Set(seen).size).toBe(81);
    expect(seen[0]).toBe("/api/products/7");
    expect(maxInFlight).toBeLessThanOrEqual(4);
  });
});
