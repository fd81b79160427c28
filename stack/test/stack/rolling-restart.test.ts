import fs from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../../src/stack.ts";
import {
  BYPASS_NGINX_CACHE,
  describeFailures,
  send,
  startLoad,
  type PlannedRequest,
} from "../support/load.ts";
import { loginThrough, startTestStack, type TestStack } from "../support/test-stack.ts";

let test: TestStack;
let stack: Stack;
let token: string;
let categoryId: number;

beforeAll(async () => {
  test = await startTestStack({ instances: 3 });
  stack = test.stack;
  token = await loginThrough(stack, stack.admin.email, stack.admin.password);
  const categories = (await (await fetch(`${stack.url}/api/categories`)).json()) as {
    items: { id: number }[];
  };
  categoryId = categories.items[0]!.id;
}, 240_000);

afterAll(async () => {
  await test?.stop();
}, 60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every 4th request creates a product with a unique name and its own Idempotency-Key. */
const mixed =
  (tag: string) =>
  (n: number): PlannedRequest =>
    n % 4 === 0
      ? {
          method: "POST",
          path: "/api/products",
          body: { name: `${tag}-${n}`, priceCents: 1000 + n, categoryId },
          headers: { authorization: `Bearer ${token}`, "idempotency-key": `${tag}-${n}` },
        }
      : { method: "GET", path: `/api/products?limit=5`, headers: BYPASS_NGINX_CACHE };

/** Rows per product name for the names of one test, straight from PostgreSQL. */
async function rowsByName(tag: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: stack.database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; n: string }>(
      "SELECT name, count(*) AS n FROM products WHERE name LIKE $1 GROUP BY name",
      [`${tag}-%`],
    );
    return new Map(rows.map((r) => [r.name, Number(r.n)]));
  } finally {
    await client.end();
  }
}

interface AccessLine {
  method: string;
  uri: string;
  status: number;
  upstream_addr: string;
  upstream_status: string;
}

const accessLines = (): AccessLine[] =>
  fs
    .readFileSync(stack.accessLog, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AccessLine);

describe("zero-drop operations", () => {
  it("rolling restart of every instance under GET+POST load fails no request", async () => {
    const tag = `rolling-${Date.now()}`;
    const pidsBefore = stack.status().processes.filter((p) => p.role === "api");
    const load = startLoad({ baseUrl: stack.url, concurrency: 8, next: mixed(tag) });
    await sleep(1_000);
    await stack.rollingRestart();
    await sleep(1_000);
    const outcomes = await load.stop();

    expect(describeFailures(outcomes)).toBe("");
    const posts = outcomes.filter((o) => o.request.method === "POST");
    const retried = outcomes.filter((o) => o.retried).length;
    console.log(
      `rolling restart: ${outcomes.length} requests (${posts.length} POST), 0 failed, ${retried} resent after their connection was reset`,
    );
    expect(posts.length).toBeGreaterThan(20);

    // Every instance really was replaced.
    const pidsAfter = stack.status().processes.filter((p) => p.role === "api");
    for (const before of pidsBefore) {
      const after = pidsAfter.find((p) => p.name === before.name)!;
      expect(after.pid).not.toBe(before.pid);
    }

    // Each POST created exactly one row: none was executed by two instances.
    const rows = await rowsByName(tag);
    expect(rows.size).toBe(posts.length);
    expect([...rows.values()].every((n) => n === 1)).toBe(true);

    // Any POST nginx passed to a second instance was one the first never took: its first
    // attempt has no upstream status of a served request.
    for (const line of accessLines().filter((l) => l.method === "POST")) {
      const statuses = line.upstream_status.split(", ");
      for (const earlier of statuses.slice(0, -1)) expect(earlier).toBe("502");
    }
  }, 240_000);

  it("kill -9 under POST load: no POST runs twice, and a retry with its Idempotency-Key creates nothing twice", async () => {
    const tag = `killed-${Date.now()}`;
    const load = startLoad({ baseUrl: stack.url, concurrency: 8, next: mixed(tag) });
    await sleep(1_000);
    stack.killInstance("api-2");
    await sleep(2_000);
    const outcomes = await load.stop();
    await stack.startInstance("api-2");

    // GETs never fail: nginx retries them. POSTs caught on the killed instance may fail.
    const gets = outcomes.filter((o) => o.request.method === "GET");
    expect(describeFailures(gets)).toBe("");
    const posts = outcomes.filter((o) => o.request.method === "POST");
    const failed = posts.filter((o) => !o.ok);
    console.log(`kill -9: ${posts.length} POST, ${failed.length} failed in flight`);

    const before = await rowsByName(tag);
    expect([...before.values()].every((n) => n === 1)).toBe(true);

    // The client retries each failed POST with the same key (and body).
    for (const failure of failed) {
      const retry = await send(stack.url, { ...failure.request, expect: [201, 409] });
      expect(retry.ok, `retry of ${JSON.stringify(failure.request.body)}: ${retry.status}`).toBe(
        true,
      );
    }
    // And every succeeded POST, retried, is replayed rather than created again.
    for (const success of posts.filter((o) => o.ok).slice(0, 10)) {
      const replay = await fetch(`${stack.url}${success.request.path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...success.request.headers },
        body: JSON.stringify(success.request.body),
      });
      expect(replay.status).toBe(201);
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
    }
    const after = await rowsByName(tag);
    expect([...after.values()].every((n) => n === 1)).toBe(true);
    expect(after.size).toBeGreaterThanOrEqual(posts.length - failed.length);
    expect(after.size).toBeLessThanOrEqual(posts.length);
  }, 120_000);

  it("scales up and down without failing a request, and refuses to overflow the connection budget", async () => {
    // A fresh client connection per request: scaling reloads nginx, and its old workers close
    // their idle client keep-alive connections, a race every HTTP/1.1 client may meet and
    // browsers answer by retrying (RFC 9112 §9.3.1). What is tested here is the upstream side.
    const load = startLoad({
      baseUrl: stack.url,
      concurrency: 4,
      agent: false,
      next: () => ({ method: "GET", path: "/api/products?limit=5", headers: BYPASS_NGINX_CACHE }),
    });
    await stack.scale(4);
    expect(stack.status().instances.map((i) => [i.id, i.weight, i.backup])).toEqual([
      ["api-1", 3, false],
      ["api-2", 3, false],
      ["api-3", 3, false],
      ["api-4", 1, true],
    ]);
    await stack.scale(2);
    await sleep(500);
    const outcomes = await load.stop();
    expect(describeFailures(outcomes)).toBe("");
    expect(
      stack
        .status()
        .processes.filter((p) => p.role === "api")
        .map((p) => p.name),
    ).toEqual(["api-1", "api-2"]);
    // The operations view, asked through any instance (api-1 started before the scale),
    // lists the instances there are now, not those of its own start.
    const overview = await fetch(`${stack.url}/api/ops/overview`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(overview.status).toBe(200);
    const { instances } = (await overview.json()) as { instances: { id: string; up: boolean }[] };
    expect(instances.map((i) => [i.id, i.up])).toEqual([
      ["api-1", true],
      ["api-2", true],
    ]);
    // (6 + 1) × 30 + 10 = 220 > 200
    await expect(stack.scale(6)).rejects.toThrow(
      /connection budget exceeded.*220 > PostgreSQL max_connections 200/,
    );
    expect(stack.status().instances).toHaveLength(2);
  }, 120_000);
});
