import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DatabaseConfig } from "@strata/config";
import { startPostgres, waitFor, type PostgresServer } from "@strata/local-servers";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../src/pool.ts";
import { DatabaseUnavailableError, PoolExhaustedError } from "../src/errors.ts";
import { createTestDatabase } from "../../../test/support/database.ts";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.ts";

// Bounds here only prove "did not hang"; they are far above the configured timeouts because
// this machine is shared and noisy.
const NO_HANG_MS = 10_000;

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let admin: pg.Client;
const open: Database[] = [];

function config(overrides: Partial<DatabaseConfig> = {}): DatabaseConfig {
  return {
    url: testDb.url,
    poolSize: 2,
    poolOverflow: 0,
    idleTimeoutMs: 10_000,
    // Generous: new connections must not time out just because the machine is busy.
    acquireTimeoutMs: 3_000,
    maxLifetimeSeconds: 3600,
    checkIdleMs: 30_000,
    statementTimeoutMs: 10_000,
    ...overrides,
  };
}

/** A pool whose backends can be found in pg_stat_activity by their application name. */
function pool(overrides: Partial<DatabaseConfig> = {}) {
  const applicationName = `pool-test-${crypto.randomBytes(4).toString("hex")}`;
  const warnings: string[] = [];
  const db = createDatabase(config(overrides), {
    applicationName,
    logger: { warn: (obj) => warnings.push(JSON.stringify(obj)) },
  });
  open.push(db);
  const backends = async (state?: string) =>
    (
      await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND ($2::text IS NULL OR state = $2)`,
        [applicationName, state ?? null],
      )
    ).rows.map((r) => r.pid);
  return { db, warnings, backends };
}

async function backendPid(db: Database): Promise<number> {
  return (await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
}

/** Rejects if `promise` has not settled within `ms`: the failure we test against is a hang. */
function withinBound<T>(promise: Promise<T>, ms = NO_HANG_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  testDb = await createTestDatabase();
  admin = new pg.Client({ connectionString: testDb.url });
  await admin.connect();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.close().catch(() => {})));
});

afterAll(async () => {
  await admin.end();
  await testDb.drop();
});

describe("createDatabase pool", () => {
  it("rejects with PoolExhaustedError when every connection is busy, without hanging", async () => {
    const { db, backends } = pool({ poolSize: 2, poolOverflow: 0, acquireTimeoutMs: 300 });
    const held = [db.query("SELECT pg_sleep(60)"), db.query("SELECT pg_sleep(60)")].map((p) =>
      p.catch((e: unknown) => e),
    );
    await waitFor(
      "both connections to be busy",
      async () => (await backends("active")).length === 2,
    );

    const started = Date.now();
    const errors = await withinBound(
      Promise.all([1, 2, 3].map(() => db.query("SELECT 1").catch((e: unknown) => e))),
    );
    for (const error of errors) expect(error).toBeInstanceOf(PoolExhaustedError);
    // Far below the 60 s the holders sleep: the waiters gave up on their own.
    expect(Date.now() - started).toBeLessThan(NO_HANG_MS);
    expect(db.stats()).toMatchObject({ total: 2, max: 2, waiting: 0 });

    for (const pid of await backends("active"))
      await admin.query("SELECT pg_cancel_backend($1)", [pid]);
    for (const error of await Promise.all(held)) expect(error).toMatchObject({ code: "57014" });
    expect((await db.query("SELECT 1 AS one")).rows[0]).toEqual({ one: 1 });
  });

  it("closes overflow connections after the idle timeout and keeps the steady ones", async () => {
    const { db, backends } = pool({ poolSize: 2, poolOverflow: 2, idleTimeoutMs: 200 });
    await Promise.all([1, 2, 3, 4].map(() => db.query("SELECT pg_sleep(0.3)")));
    expect(db.stats().total).toBe(4);

    await waitFor("overflow connections to close", async () => db.stats().total === 2, NO_HANG_MS);
    await sleep(600); // three idle timeouts more: the steady two must stay
    expect(db.stats()).toMatchObject({ total: 2, idle: 2 });
    // The server side too (a closed connection's backend may take a moment to exit).
    await waitFor("two backends", async () => (await backends()).length === 2, NO_HANG_MS);
    expect((await db.query("SELECT 1 AS one")).rows[0]).toEqual({ one: 1 });
  });

  it("survives pg_terminate_backend of an idle pooled connection", async () => {
    const { db, warnings } = pool({ poolSize: 1 });
    const pid = await backendPid(db);
    await admin.query("SELECT pg_terminate_backend($1)", [pid]);
    await waitFor("the pool to notice", async () => warnings.length > 0, NO_HANG_MS);

    const next = await withinBound(backendPid(db));
    expect(next).not.toBe(pid);
  });

  it("fails a query whose backend is killed with DatabaseUnavailableError, then recovers", async () => {
    const { db, backends } = pool({ poolSize: 1 });
    const sleeping = db.query("SELECT pg_sleep(60)").catch((e: unknown) => e);
    await waitFor("the query to run", async () => (await backends("active")).length === 1);
    const [pid] = await backends("active");
    await admin.query("SELECT pg_terminate_backend($1)", [pid]);

    expect(await withinBound(sleeping)).toBeInstanceOf(DatabaseUnavailableError);
    const next = await withinBound(backendPid(db));
    expect(next).not.toBe(pid);
    expect(db.stats().total).toBe(1);
  });

  it("cancels a statement that runs past the statement timeout", async () => {
    const { db } = pool({ statementTimeoutMs: 200 });
    const error = await withinBound(db.query("SELECT pg_sleep(30)").catch((e: unknown) => e));
    expect(error).toMatchObject({ code: "57014" }); // query_canceled
    expect(error).not.toBeInstanceOf(DatabaseUnavailableError);
    // The connection itself is fine and goes back to the pool.
    expect((await db.query("SELECT 1 AS one")).rows[0]).toEqual({ one: 1 });
  });

  it("recycles a connection once it is older than maxLifetimeSeconds", async () => {
    const { db } = pool({ poolSize: 1, maxLifetimeSeconds: 1 });
    const first = await backendPid(db);
    await waitFor("a new connection", async () => (await backendPid(db)) !== first, NO_HANG_MS);
    expect(db.stats().total).toBe(1);
  });

  it("rolls a failed transaction back and releases its connection", async () => {
    const { db } = pool({ poolSize: 1 });
    await db.query("CREATE TABLE pool_tx (n int)");
    await expect(
      db.transaction(async (client) => {
        await client.query("INSERT INTO pool_tx VALUES (1)");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect((await db.query("SELECT count(*)::int AS n FROM pool_tx")).rows[0]).toEqual({ n: 0 });
    expect(db.stats()).toMatchObject({ total: 1, idle: 1 });
  });
});

describe("liveness check", () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy(Number(new URL(testDb.url).port));
  });
  afterAll(() => proxy.close());

  it("replaces an idle connection that died silently before handing it out", async () => {
    const url = new URL(testDb.url);
    url.port = String(proxy.port);
    const { db, backends } = pool({
      url: url.toString(),
      poolSize: 1,
      checkIdleMs: 100,
      acquireTimeoutMs: 1_000,
    });
    const first = await backendPid(db);
    // The connection still looks open to both ends, but nothing gets through any more:
    // without a bounded SELECT 1 the next query would wait forever.
    proxy.blackholeAll();
    await sleep(300);

    const second = await withinBound(backendPid(db));
    expect(second).not.toBe(first);
    expect(db.stats().total).toBe(1);
    await waitFor("the dead connection's backend to go", async () => {
      const pids = await backends();
      return !pids.includes(first);
    });
  });

  it("does not ping a connection that was used recently", async () => {
    const { db } = pool({ poolSize: 1, checkIdleMs: 60_000 });
    const first = await backendPid(db);
    expect(await backendPid(db)).toBe(first);
  });
});

describe("PostgreSQL restart", () => {
  let dataDir: string;
  let server: PostgresServer | undefined;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-pool-restart-"));
    server = await startPostgres({ dataDir, ephemeral: true });
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers DatabaseUnavailableError during the outage and recovers without a new pool", async () => {
    const running = server!;
    const { db, warnings } = pool({ url: running.url, poolSize: 2, poolOverflow: 1 });
    await Promise.all([db.query("SELECT 1"), db.query("SELECT 1")]);
    const inFlight = db.query("SELECT pg_sleep(60)").catch((e: unknown) => e);
    await sleep(200);

    await running.stop();
    server = undefined;
    expect(await withinBound(inFlight)).toBeInstanceOf(DatabaseUnavailableError);
    for (let i = 0; i < 3; i++) {
      const error = await withinBound(db.query("SELECT 1").catch((e: unknown) => e));
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
    }
    expect(warnings.length).toBeGreaterThan(0);

    server = await startPostgres({ dataDir, port: running.port, ephemeral: true });
    expect((await withinBound(db.query("SELECT 1 AS one"))).rows[0]).toEqual({ one: 1 });
    await Promise.all([db.query("SELECT 1"), db.query("SELECT 1"), db.query("SELECT 1")]);
    expect(db.stats().total).toBeLessThanOrEqual(3);
  });
});
