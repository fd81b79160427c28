import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportStatus } from "@strata/contracts";
import { createProducers, QueueName } from "@strata/queue";
import { importKey } from "@strata/storage";
import { makeImage } from "../../../../test/support/images.ts";
import { spawnWorker, type WorkerProcess } from "../../../worker/test/support/worker-process.ts";
import { createCategory } from "../support/factories.ts";
import { call, expectProblem } from "../support/http.ts";
import { postForm, startUploadSuite, uploadFile, type UploadSuite } from "../support/uploads.ts";

let suite: UploadSuite;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  suite = await startUploadSuite({ IMPORT_LIMIT_BYTES: String(64 * 1024) });
  await createCategory(suite.db, { slug: "garden" });
});

afterAll(async () => {
  await worker?.kill();
  await suite?.stop();
});

const workerEnv = () => ({
  ...suite.env,
  // The worker announces itself on its log; the tests wait for that line.
  LOG_LEVEL: "info",
  DATABASE_URL: suite.backends.databaseUrl,
  REDIS_STATE_URL: suite.backends.redisUrl,
  DB_POOL_SIZE: "2",
  DB_POOL_OVERFLOW: "1",
  IMPORT_BATCH_SIZE: "2",
  WORKER_LOCK_DURATION_MS: "2000",
  WORKER_STALLED_INTERVAL_MS: "1000",
});

const postCsv = (csv: string | Buffer, token = suite.adminToken, name = "products.csv") =>
  uploadFile(
    suite.a.url,
    "/api/imports",
    { bytes: Buffer.isBuffer(csv) ? csv : Buffer.from(csv), name, type: "text/csv" },
    { token },
  );

async function importFiles(): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of suite.a.app.storage.list("imports/")) keys.push(object.key);
  return keys.sort();
}

async function statusOf(id: string): Promise<ImportStatus> {
  const reply = await call(suite.b.url, "GET", `/api/imports/${id}`, { token: suite.adminToken });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body as ImportStatus;
}

async function waitForState(
  id: string,
  states: string[],
  timeoutMs = 30_000,
): Promise<ImportStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await statusOf(id);
    if (states.includes(status.state)) return status;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${status.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads a server-sent event stream until it ends; returns its events. */
async function readEvents(path: string): Promise<{ event: string; data: unknown }[]> {
  const response = await fetch(suite.b.url + path, {
    headers: { authorization: `Bearer ${suite.adminToken}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) {
    text += decoder.decode(chunk as Uint8Array);
    if (process.env.SSE_DEBUG)
      console.log("SSE", JSON.stringify(decoder.decode(chunk as Uint8Array)).slice(0, 300));
  }
  return text
    .split("\n\n")
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      return event && data ? { event, data: JSON.parse(data) as unknown } : undefined;
    })
    .filter((e): e is { event: string; data: unknown } => e !== undefined);
}

const CSV = [
  "sku,name,description,price_cents,stock,category",
  "G-1,Rake,Steel,1500,10,garden",
  "G-2,Hose,,abc,3,garden", // line 3: bad price
  "G-3,Shovel,,2500,4,garden",
  "G-4,Gnome,,999,1,attic", // line 5: no such category
  "G-5,Bucket,,500,7,garden",
].join("\n");

describe("CSV imports through the API", () => {
  let importId: string;

  it("answers 202 with the job id at once, before any worker has run", async () => {
    const reply = await postCsv(CSV);
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
    importId = reply.body.id;
    expect(reply.body).toEqual({
      id: expect.any(String),
      state: "waiting",
      links: { self: `/api/imports/${importId}`, events: `/api/imports/${importId}/events` },
    });
    expect(reply.headers.get("location")).toBe(`/api/imports/${importId}`);
    const status = await statusOf(importId);
    expect(status).toMatchObject({
      id: importId,
      state: "waiting",
      fileName: "products.csv",
      byteSize: CSV.length,
      progress: null,
      attemptsMade: 0,
    });
  });

  it("streams progress as server-sent events until the worker has finished", async () => {
    // Subscribed while the import still waits for a worker: the stream follows it through.
    const stream = readEvents(`/api/imports/${importId}/events`);
    await new Promise((r) => setTimeout(r, 300));
    worker = await spawnWorker(workerEnv());
    const events = await stream;
    expect(events[0]).toMatchObject({ event: "progress", data: { state: "waiting" } });
    expect(events.at(-1)).toEqual({ event: "done", data: { state: "completed" } });
    const progress = events
      .filter((e) => e.event === "progress")
      .map((e) => e.data as ImportStatus);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    const last = progress.at(-1)!;
    expect(last.state).toBe("completed");
    expect(last.progress).toMatchObject({
      rowsRead: 5,
      inserted: 3,
      rejected: 2,
      bytesRead: CSV.length,
    });
    expect(last.progress!.errors).toEqual([
      { line: 3, sku: "G-2", reasons: ["price_cents: must be a whole number of cents"] },
      { line: 5, sku: "G-4", reasons: ['category: no category "attic"'] },
    ]);

    // The imported products are in the catalogue.
    const list = await call(suite.a.url, "GET", "/api/products?category=garden&limit=10");
    expect(list.body.items.map((p: { name: string }) => p.name).sort()).toEqual([
      "Bucket",
      "Rake",
      "Shovel",
    ]);
  });

  it("lists failed imports for admins and retries one that can now succeed", async () => {
    // A job whose file is missing fails; once the file is there, a retry succeeds.
    const id = crypto.randomUUID();
    const producers = createProducers(suite.a.app.redis.state, () => {});
    await producers.enqueueImport({
      importId: id,
      objectKey: importKey(id),
      fileName: "late.csv",
      byteSize: 0,
      requestedBy: 1,
    });
    const failed = await waitForState(id, ["failed"]);
    expect(failed.failedReason).toMatch(/missing/);

    // Every queue can be listed, the worker's maintenance sweep included.
    for (const queue of Object.values(QueueName)) {
      const listed = await call(suite.a.url, "GET", `/api/jobs?queue=${queue}&state=completed`, {
        token: suite.adminToken,
      });
      expect(listed.status, queue).toBe(200);
      expect(Array.isArray(listed.body.items), queue).toBe(true);
    }
    const list = await call(suite.a.url, "GET", "/api/jobs?queue=imports&state=failed", {
      token: suite.adminToken,
    });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        queue: "imports",
        id,
        state: "failed",
        failedReason: failed.failedReason,
      }),
    ]);

    await suite.a.app.storage.put(
      importKey(id),
      Buffer.from("sku,name,price_cents,category\nG-9,Late,1,garden\n"),
      {
        contentType: "text/csv",
      },
    );
    const retried = await call(suite.b.url, "POST", `/api/jobs/imports/${id}/retry`, {
      token: suite.adminToken,
    });
    expect(retried.status, JSON.stringify(retried.body)).toBe(202);
    const done = await waitForState(id, ["completed", "failed"]);
    expect(done).toMatchObject({ state: "completed", progress: { inserted: 1 } });

    // Only failed jobs can be retried.
    expectProblem(
      await call(suite.b.url, "POST", `/api/jobs/imports/${id}/retry`, { token: suite.adminToken }),
      409,
    );
    await producers.close();
  });

  it("refuses files that are not CSV text, empty or too large", async () => {
    const png = await makeImage("png");
    expectProblem(await postCsv(png, suite.adminToken, "products.csv"), 415);
    expectProblem(await postCsv(Buffer.from("PK\u0003\u0004zipped spreadsheet")), 415);
    expectProblem(await postCsv(""), 400);
    const big = `sku,name,price_cents,category\n${"X-1,Name,1,garden\n".repeat(5000)}`;
    const tooLarge = await postCsv(big);
    expectProblem(tooLarge, 413);
    expect(tooLarge.body.limitBytes).toBe(64 * 1024);
    // A multipart Content-Type without its boundary: the parser's refusal is a 400.
    const noBoundary = await fetch(`${suite.a.url}/api/imports`, {
      method: "POST",
      body: "sku,name\n",
      headers: {
        authorization: `Bearer ${suite.adminToken}`,
        "content-type": "multipart/form-data",
      },
    });
    expect(noBoundary.status).toBe(400);
  });

  it("refuses a second part after the file, keeping neither the file nor a job", async () => {
    const queue = await suite.b.app.queues.queue(QueueName.imports);
    const before = { files: await importFiles(), jobs: await queue.count() };
    const form = new FormData();
    form.append("file", new Blob([CSV], { type: "text/csv" }), "a.csv");
    form.append("file", new Blob([CSV], { type: "text/csv" }), "b.csv");
    const reply = await postForm(suite.a.url, "/api/imports", form, suite.adminToken);
    expectProblem(reply, 400);
    expect(reply.body.detail).toBe("send exactly one file, in one multipart part");
    expect(await importFiles()).toEqual(before.files);
    expect(await queue.count()).toBe(before.jobs);
  });

  it("is for admins only, and answers 404 and 400 for unknown and malformed ids", async () => {
    expectProblem(await postCsv(CSV, suite.customerToken), 403);
    expectProblem(await call(suite.a.url, "GET", `/api/imports/${importId}`), 401);
    expectProblem(
      await call(suite.a.url, "GET", `/api/imports/${importId}`, { token: suite.customerToken }),
      403,
    );
    expectProblem(
      await call(suite.a.url, "GET", "/api/jobs?queue=imports", { token: suite.customerToken }),
      403,
    );
    expectProblem(
      await call(suite.a.url, "GET", `/api/imports/${crypto.randomUUID()}`, {
        token: suite.adminToken,
      }),
      404,
    );
    expectProblem(
      await call(suite.a.url, "GET", "/api/imports/not-a-uuid", { token: suite.adminToken }),
      400,
    );
  });

  it("keeps only a display name of a path-like file name", async () => {
    const reply = await postCsv(
      "sku,name,price_cents,category\nG-7,Pot,1,garden\n",
      suite.adminToken,
      "../../etc/cron.d/evil.csv",
    );
    expect(reply.status).toBe(202);
    expect((await statusOf(reply.body.id)).fileName).toBe("evil.csv");
  });

  it("answers 503 and keeps no file when the queue's Redis is down", async () => {
    await worker?.kill();
    worker = undefined;
    const queue = await suite.b.app.queues.queue(QueueName.imports);
    const before = { files: await importFiles(), jobs: await queue.count() };
    // This instance loses the state Redis (its client disconnects; the server stays up).
    suite.a.app.redis.state.disconnect();
    try {
      expectProblem(await postCsv(CSV), 503);
    } finally {
      await suite.a.app.redis.state.connect().catch(() => {});
    }
    expect(await importFiles()).toEqual(before.files);
    expect(await queue.count()).toBe(before.jobs);
  });
});
