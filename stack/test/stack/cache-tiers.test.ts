import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../../src/stack.ts";
import { loginThrough, startTestStack, type TestStack } from "../support/test-stack.ts";

let test: TestStack;
let stack: Stack;
let adminToken: string;

beforeAll(async () => {
  test = await startTestStack({ instances: 2 });
  stack = test.stack;
  adminToken = await loginThrough(stack, stack.admin.email, stack.admin.password);
}, 300_000);

afterAll(async () => {
  await test?.stop();
}, 90_000);

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${stack.url}${path}`, { headers });

/** The value of the first series of `name` whose labels include every one of `labels`. */
function metricValue(text: string, name: string, labels: string[]): number {
  const line = text
    .split("\n")
    .find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

const instanceMetrics = async (address: string) =>
  (await fetch(`http://${address}/metrics`)).text();

/** Sum of app_cache_events_total{tier="db",event="query"} over every instance's /metrics. */
async function databaseQueries(): Promise<number> {
  let total = 0;
  for (const instance of stack.status().instances) {
    const text = await instanceMetrics(instance.address);
    total += metricValue(text, "app_cache_events_total", ['tier="db"', 'event="query"']);
  }
  return total;
}

describe("the nginx tier", () => {
  it("answers a repeated public read from its cache: MISS, then HIT, same body", async () => {
    const first = await get("/api/products?limit=3&sort=price");
    expect(first.headers.get("x-cache-status")).toBe("MISS");
    const body = await first.text();
    const second = await get("/api/products?limit=3&sort=price");
    expect(second.headers.get("x-cache-status")).toBe("HIT");
    expect(await second.text()).toBe(body);
    // Each answer has its own request id, not the stored one of the request that filled it.
    expect(second.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
    expect(second.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));
    // nginx compresses for the client and says so; the cache keeps one entry per URL.
    const gzipped = await get("/api/products?limit=3&sort=price", { "accept-encoding": "gzip" });
    expect(gzipped.headers.get("x-cache-status")).toBe("HIT");
  });

  it("counts its answers by cache status in the instances' /metrics, from its access log", async () => {
    const address = stack.status().instances[0]!.address;
    const hits = async () =>
      metricValue(await instanceMetrics(address), "nginx_cache_requests_total", [
        'cache_status="HIT"',
      ]);
    const before = await hits();
    await get("/api/products?limit=2&sort=price");
    for (let i = 0; i < 5; i++) await get("/api/products?limit=2&sort=price");
    // nginx writes its log line once the response is sent: give it a moment.
    await expect.poll(hits, { timeout: 5_000 }).toBe(before + 5);
  });

  it("bypasses its cache for requests with credentials, and never stores them", async () => {
    const path = "/api/products?limit=4";
    for (const headers of <Record<string, string>[]>[
      { authorization: `Bearer ${adminToken}` },
      { cookie: `strata_session=${adminToken}` },
    ]) {
      const response = await get(path, headers);
      expect(response.headers.get("x-cache-status")).toBe("BYPASS");
    }
    // Nothing was stored by those: the first anonymous request is still a miss.
    expect((await get(path)).headers.get("x-cache-status")).toBe("MISS");
  });

  it("gives two users their own /api/users/me on a cold cache, 100 out of 100", async () => {
    const register = async (email: string) => {
      const password = "a long enough passphrase";
      await fetch(`${stack.url}/api/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      });
      return loginThrough(stack, email, password);
    };
    const users = [
      { email: "ann@example.test", token: await register("ann@example.test") },
      { email: "bob@example.test", token: await register("bob@example.test") },
    ];
    const answers = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const user = users[i % 2]!;
        const response = await get("/api/users/me", { cookie: `strata_session=${user.token}` });
        const me = (await response.json()) as { email: string };
        expect(response.headers.get("cache-control")).toBe("private, no-store");
        return me.email === user.email;
      }),
    );
    expect(answers.filter(Boolean)).toHaveLength(100);
  });

  it("sends one database query for a burst of 500 concurrent cold requests with nginx bypassed", async () => {
    const before = await databaseQueries();
    const responses = await Promise.all(
      Array.from({ length: 500 }, () =>
        get("/api/products?limit=9&sort=name", { authorization: `Bearer ${adminToken}` }),
      ),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect((await databaseQueries()) - before).toBe(1);
  });

  it("shows an admin's write at once to the writer and to anonymous readers (nginx entries refreshed)", async () => {
    const path = "/api/products/5";
    const listPath = "/api/products?limit=10&sort=id";
    await get(listPath);
    expect((await get(listPath)).headers.get("x-cache-status")).toBe("HIT");
    await get(path);
    const cached = await get(path);
    expect(cached.headers.get("x-cache-status")).toBe("HIT");
    const product = (await cached.json()) as { version: number; name: string };
    const patched = await fetch(`${stack.url}${path}`, {
      method: "PATCH",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${adminToken}`,
        "if-match": `"${product.version}"`,
      },
      body: JSON.stringify({ name: `${product.name} (renamed)` }),
    });
    expect(patched.status).toBe(200);
    // The writer reads with credentials: nginx passes it through to the API.
    const writer = (await (await get(path, { authorization: `Bearer ${adminToken}` })).json()) as {
      name: string;
    };
    expect(writer.name).toBe(`${product.name} (renamed)`);
    // Anonymous readers: the write refreshed nginx's entries (detail and every list), so
    // the very next read through nginx is the new value, whether nginx answers or the API.
    const reader = await get(path);
    expect(["HIT", "MISS"]).toContain(reader.headers.get("x-cache-status"));
    expect(((await reader.json()) as { name: string }).name).toBe(`${product.name} (renamed)`);
    const list = (await (await get(listPath)).json()) as { items: { id: number; name: string }[] };
    expect(list.items.find((p) => p.id === 5)?.name).toBe(`${product.name} (renamed)`);
  });
  it("ignores X-Cache-Refresh on the public listener, and refreshes on the internal one", async () => {
    const path = "/api/products?limit=3&sort=price";
    await get(path);
    expect((await get(path)).headers.get("x-cache-status")).toBe("HIT");
    // A client on the public port, even from a writer's address (127.0.0.1), is answered
    // from the cache: it cannot make every read go to the instances.
    const forged = await get(path, { "x-cache-refresh": "1" });
    expect(forged.headers.get("x-cache-status")).toBe("HIT");
    const { refreshUrl } = stack;
    expect(new URL(refreshUrl).port).not.toBe(new URL(stack.url).port);
    const refreshed = await fetch(`${refreshUrl}${path}`, { headers: { "x-cache-refresh": "1" } });
    expect(refreshed.headers.get("x-cache-status")).toBe("BYPASS");
  });

  it("answers 404 for a deleted product at once, though nginx held its 200 (the 404 replaces it)", async () => {
    const path = "/api/products/7";
    await get(path);
    expect((await get(path)).headers.get("x-cache-status")).toBe("HIT");
    const deleted = await fetch(`${stack.url}${path}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(deleted.status).toBe(204);
    const reader = await get(path);
    expect(reader.status).toBe(404);
    expect(reader.headers.get("content-type")).toContain("application/problem+json");
    // Stored for the route's freshness, without stale windows: the next reader gets nginx's
    // copy of the 404, and the CDN can purge it by tag like the 200 before it.
    expect(reader.headers.get("cache-control")).toBe("public, s-maxage=60");
    expect(reader.headers.get("cache-tag")).toContain("product:7");
    const again = await get(path);
    expect(again.status).toBe(404);
    expect(again.headers.get("x-cache-status")).toBe("HIT");
  });
});
