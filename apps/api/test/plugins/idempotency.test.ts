import { beforeAll, describe, expect, test } from "vitest";
import { connect, createCategory, loggedIn } from "../support/factories.ts";
import { call, expectProblem } from "../support/http.ts";
import { TEST_ENV, useApi } from "../support/suite.ts";
import { startTestApi } from "../support/test-api.ts";
import { IdempotencyStore } from "../../src/services/idempotency/idempotency-store.ts";

const s = useApi();
let category: { id: number };
let admin: { token: string };

beforeAll(async () => {
  category = await createCategory(s.db);
  admin = await loggedIn(s.db, s.api, "admin");
});

const body = (name: string) => ({ name, priceCents: 100, categoryId: category.id });

function post(key: string | undefined, payload: unknown, token = admin.token, url = s.api.url) {
  return call(url, "POST", "/api/products", {
    token,
    body: payload,
    headers: key === undefined ? {} : { "idempotency-key": key },
  });
}

async function countNamed(name: string): Promise<number> {
  const { rows } = await s.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM products WHERE name = $1",
    [name],
  );
  return rows[0]!.n;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("condition never became true");
}

describe("Idempotency-Key on POST /api/products", () => {
  test("a retry with the same key and body creates nothing and replays the first response", async () => {
    const first = await post("retry-1", body("Once"));
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    for (let i = 0; i < 3; i++) {
      const retry = await post("retry-1", body("Once"));
      expect(retry.status).toBe(201);
      expect(retry.headers.get("idempotent-replayed")).toBe("true");
      expect(retry.headers.get("location")).toBe(first.headers.get("location"));
      expect(retry.headers.get("cache-control")).toBe("private, no-store");
      expect(retry.body).toEqual(first.body);
    }
    expect(await countNamed("Once")).toBe(1);
  });

  test("the retry is recognised by another instance too", async () => {
    const other = await startTestApi(s.backends, { ...TEST_ENV, INSTANCE_ID: "test-2" });
    try {
      const first = await post("cross-instance", body("Across"));
      const retry = await post("cross-instance", body("Across"), admin.token, other.url);
      expect(retry.status).toBe(201);
      expect(retry.headers.get("x-instance")).toBe("test-2");
      expect(retry.body.id).toBe(first.body.id);
      expect(await countNamed("Across")).toBe(1);
    } finally {
      await other.close();
    }
  });

  test("the same key with a different body is a 422 and creates nothing", async () => {
    expect((await post("reused", body("Original"))).status).toBe(201);
    expectProblem(await post("reused", body("Different")), 422);
    expect(await countNamed("Different")).toBe(0);
  });

  test("keys are scoped per user", async () => {
    const otherAdmin = await loggedIn(s.db, s.api, "admin");
    const mine = await post("shared-key", body("Scoped"));
    const theirs = await post("shared-key", body("Scoped"), otherAdmin.token);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(await countNamed("Scoped")).toBe(2);
  });

  test("without a key every POST creates", async () => {
    await post(undefined, body("Twice"));
    await post(undefined, body("Twice"));
    expect(await countNamed("Twice")).toBe(2);
  });

  test("a duplicate arriving while the first is in flight is a 409; afterwards it replays", async () => {
    // Hold the first request inside its INSERT with a table lock, deterministically.
    const locker = await connect(s.backends.databaseUrl);
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE products IN EXCLUSIVE MODE");
      const first = post("in-flight", body("Slow"));
      await until(async () => (await s.api.app.redis.state.keys("idempotency:*")).length > 0);
      await until(async () => {
        const { rows } = await locker.query(
          "SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'products'::regclass",
        );
        return rows[0].n > 0;
      });
      const duplicate = await post("in-flight", body("Slow"));
      expectProblem(duplicate, 409);
      expect(duplicate.headers.get("retry-after")).toBe("1");
      await locker.query("COMMIT");
      const done = await first;
      expect(done.status).toBe(201);
      const replay = await post("in-flight", body("Slow"));
      expect(replay.body.id).toBe(done.body.id);
    } finally {
      await locker.query("ROLLBACK").catch(() => {});
      await locker.end();
    }
    expect(await countNamed("Slow")).toBe(1);
  });

  describe("claims of requests still running (1 s claims, so that no wait nears the statement timeout)", () => {
    const CLAIM_MS = 1_000;
    const claims = () => s.api.app.redis.state.keys("idempotency:*");
    const lockWaiters = async (locker: Awaited<ReturnType<typeof connect>>) => {
      const { rows } = await locker.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'products'::regclass",
      );
      return rows[0].n as number;
    };

    /** Runs `body` with products locked (every INSERT waits) and a 1 s-claim instance. */
    async function withLockedProducts(
      body: (ctx: {
        locker: Awaited<ReturnType<typeof connect>>;
        other: Awaited<ReturnType<typeof startTestApi>>;
        newClaim: (before: Set<string>) => Promise<string>;
      }) => Promise<void>,
    ): Promise<void> {
      const other = await startTestApi(s.backends, {
        ...TEST_ENV,
        INSTANCE_ID: "claims",
        IDEMPOTENCY_CLAIM_MS: String(CLAIM_MS),
      });
      const locker = await connect(s.backends.databaseUrl);
      const newClaim = async (before: Set<string>) => {
        let claim = "";
        await until(async () => {
          claim = (await claims()).find((k) => !before.has(k)) ?? "";
          return claim !== "";
        });
        return claim;
      };
      try {
        await locker.query("BEGIN");
        await locker.query("LOCK TABLE products IN EXCLUSIVE MODE");
        await body({ locker, other, newClaim });
      } finally {
        await locker.query("ROLLBACK").catch(() => {});
        await locker.end();
        await other.close().catch(() => {});
      }
    }

    test("a claim is renewed while its request runs: a retry past the claim's lifetime is still a 409", async () => {
      await withLockedProducts(async ({ locker, other, newClaim }) => {
        const before = new Set(await claims());
        const first = post("renewed", body("Renewed"), admin.token, other.url);
        await newClaim(before);
        await new Promise((resolve) => setTimeout(resolve, 2.5 * CLAIM_MS));
        expectProblem(await post("renewed", body("Renewed"), admin.token, other.url), 409);
        await locker.query("COMMIT");
        expect((await first).status).toBe(201);
      });
      expect(await countNamed("Renewed")).toBe(1);
    });

    test("a claim whose instance stops renewing it lapses by itself, and the retry that runs beside the first still makes one product", async () => {
      await withLockedProducts(async ({ locker, other, newClaim }) => {
        const before = new Set(await claims());
        const first = post("lapsing", body("Lapsing"), admin.token, other.url);
        const claim = await newClaim(before);
        // Its instance stops renewing (as a killed one would): the claim lapses by itself.
        other.app.redis.state.disconnect();
        const deadline = Date.now() + 10 * CLAIM_MS; // "did lapse", not a timing check
        while ((await s.api.app.redis.state.exists(claim)) === 1 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(await s.api.app.redis.state.exists(claim)).toBe(0);
        // The retry now runs, beside the first (still waiting on the lock): the key's unique
        // index makes them one product.
        const retry = post("lapsing", body("Lapsing"));
        await until(async () => (await lockWaiters(locker)) > 1);
        await locker.query("COMMIT");
        const [a, b] = await Promise.all([first, retry]);
        expect([a.status, b.status]).toEqual([201, 201]);
        expect(b.body.id).toBe(a.body.id);
      });
      expect(await countNamed("Lapsing")).toBe(1);
    });
  });

  test("a server failure is not replayed: the retry runs again (a statement timeout is a 503 with Retry-After)", async () => {
    const impatient = await startTestApi(s.backends, {
      ...TEST_ENV,
      INSTANCE_ID: "impatient",
      DB_STATEMENT_TIMEOUT_MS: "300",
    });
    const locker = await connect(s.backends.databaseUrl);
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE products IN EXCLUSIVE MODE");
      const failed = await post("after-failure", body("Retried"), admin.token, impatient.url);
      expectProblem(failed, 503);
      expect(failed.headers.get("retry-after")).toBe("1");
      await locker.query("COMMIT");
      const retry = await post("after-failure", body("Retried"), admin.token, impatient.url);
      expect(retry.status).toBe(201);
      expect(retry.headers.get("idempotent-replayed")).toBeNull();
    } finally {
      await locker.query("ROLLBACK").catch(() => {});
      await locker.end();
      await impatient.close();
    }
    expect(await countNamed("Retried")).toBe(1);
  });

  describe("a request whose claim lapsed and was taken by a retry leaves the retry's record alone", () => {
    const fingerprint = "same-body";
    const response = { status: 201, headers: {}, body: "{}" };
    const redis = () => s.api.app.redis.state;
    /** A's claim lapses by itself (100 ms claims); B, a retry, then claims the key for 60 s. */
    async function lapsedThenRetried(key: string) {
      const lapsing = new IdempotencyStore(redis(), 100, 60);
      const store = new IdempotencyStore(redis(), 60_000, 60);
      expect(await lapsing.reserve(key, fingerprint, "owner-a")).toBe("reserved");
      await until(async () => (await redis().exists(key)) === 0);
      expect(await store.reserve(key, fingerprint, "owner-b")).toBe("reserved");
      const claimOfB = await redis().get(key);
      expect(JSON.parse(claimOfB!)).toMatchObject({ state: "pending", owner: "owner-b" });
      return { lapsing, store, claimOfB };
    }

    test("A failing with a 5xx does not release B's claim, so a third retry is still a 409", async () => {
      const key = "idempotency:store-test:release";
      try {
        const { lapsing, store, claimOfB } = await lapsedThenRetried(key);
        const released = await lapsing.release(key, fingerprint, "owner-a");
        expect(await redis().get(key)).toBe(claimOfB);
        expect(await redis().pttl(key)).toBeGreaterThan(1_000);
        expect(released).toBe(false);
        // What the plugin answers with a 409: C finds B's claim, still pending.
        expect(await store.reserve(key, fingerprint, "owner-c")).toMatchObject({
          state: "pending",
          owner: "owner-b",
        });
      } finally {
        await redis().del(key);
      }
    });

    test("A finishing does not store its response over B's claim, nor over B's response", async () => {
      const key = "idempotency:store-test:complete";
      try {
        const { lapsing, store, claimOfB } = await lapsedThenRetried(key);
        const overB = await lapsing.complete(key, fingerprint, "owner-a", response);
        expect(await redis().get(key)).toBe(claimOfB);
        expect(overB).toBe(false);
        const responseOfB = { ...response, body: '{"by":"b"}' };
        expect(await store.complete(key, fingerprint, "owner-b", responseOfB)).toBe(true);
        const overResponseOfB = await lapsing.complete(key, fingerprint, "owner-a", response);
        expect(await store.reserve(key, fingerprint, "owner-c")).toEqual({
          state: "done",
          fingerprint,
          response: responseOfB,
        });
        expect(overResponseOfB).toBe(false);
      } finally {
        await redis().del(key);
      }
    });

    test("its own claim is released or completed; a lapsed one nobody took still gets its response", async () => {
      const keys = ["released", "completed", "lapsed"].map((k) => `idempotency:store-test:${k}`);
      const [released, completed, lapsed] = keys as [string, string, string];
      try {
        const store = new IdempotencyStore(redis(), 60_000, 60);
        await store.reserve(released, fingerprint, "owner-a");
        expect(await store.release(released, fingerprint, "owner-a")).toBe(true);
        expect(await redis().exists(released)).toBe(0);
        await store.reserve(completed, fingerprint, "owner-a");
        expect(await store.complete(completed, fingerprint, "owner-a", response)).toBe(true);
        expect(await redis().ttl(completed)).toBeGreaterThan(50);
        const lapsing = new IdempotencyStore(redis(), 100, 60);
        await lapsing.reserve(lapsed, fingerprint, "owner-a");
        await until(async () => (await redis().exists(lapsed)) === 0);
        expect(await lapsing.complete(lapsed, fingerprint, "owner-a", response)).toBe(true);
        expect(await store.reserve(lapsed, fingerprint, "owner-b")).toMatchObject({
          state: "done",
        });
      } finally {
        await redis().del(...keys);
      }
    });
  });

  test("a client error is kept and replayed like a success", async () => {
    const bad = { ...body("Nowhere"), categoryId: 999999 };
    expectProblem(await post("client-error", bad), 422);
    const again = await post("client-error", bad);
    expectProblem(again, 422);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  test.each(["", "x".repeat(256), "naïve", "two words", '"unterminated'])(
    "a malformed key %j is a 400",
    async (key) => {
      const response = await post(key, body("Malformed"));
      expectProblem(response, 400);
      expect(await countNamed("Malformed")).toBe(0);
    },
  );

  test("the IETF structured-field form (a quoted string) is the same key as the bare one", async () => {
    const bare = await post("quoted-1", body("Quoted"));
    const quoted = await post('"quoted-1"', body("Quoted"));
    expect(quoted.body.id).toBe(bare.body.id);
  });
});
