import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueueName, type ImportProgress } from "@strata/queue";
import { spawnWorker, type WorkerProcess } from "./support/worker-process.ts";
import { enqueueCsv } from "./support/imports.ts";
import {
  createCategory,
  startWorkerBackends,
  waitForJobState,
  type WorkerBackends,
} from "./support/worker-backends.ts";

let backends: WorkerBackends;
let worker: WorkerProcess;

beforeAll(async () => {
  // Batches of 3, so even a small file is several transactions.
  backends = await startWorkerBackends({ IMPORT_BATCH_SIZE: "3" });
  await createCategory(backends.db, "lamps");
  await createCategory(backends.db, "chairs");
  worker = await spawnWorker(backends.env);
});

afterAll(async () => {
  await worker?.kill();
  await backends?.stop();
});

async function runImport(csv: string | Buffer) {
  const id = await enqueueCsv(backends, csv);
  const queue = backends.queue(QueueName.imports);
  const state = await waitForJobState(queue, id, ["completed", "failed"]);
  const job = (await queue.getJob(id))!;
  return { id, state, job, report: job.returnvalue as ImportProgress };
}

interface Row {
  sku: string;
  name: string;
  description: string;
  price_cents: number;
  stock: number;
  version: number;
  category: string;
}

async function products(): Promise<Map<string, Row>> {
  const { rows } = await backends.db.query<Row>(
    `SELECT p.sku, p.name, p.description, p.price_cents, p.stock, p.version, c.slug AS category
       FROM products p JOIN categories c ON c.id = p.category_id WHERE p.sku IS NOT NULL`,
  );
  return new Map(rows.map((r) => [r.sku, r]));
}

const MIXED = [
  "sku,name,description,price_cents,stock,category", //         line 1
  'L-1,Desk lamp,"Warm, bright",1999,5,lamps', //                 2 ok
  "L-2,,no name,100,1,lamps", //                                  3 bad: empty name
  'L-3,Floor lamp,"Tall', //                                      4 ok (two lines)
  'and slim",4999,2,lamps', //                                    5
  "L-4,Bad price,x,12.50,1,lamps", //                             6 bad: price
  "", //                                                          7 (empty line)
  "L-5,Ghost lamp,x,100,1,nowhere", //                            8 bad: category
  "C-1,Chair,x,2500,10,chairs", //                                9 ok
  "bad sku!,Thing,x,-1,1,chairs", //                              10 bad: sku and price
  "C-2,Too many,x,1,1,chairs,extra", //                           11 bad: field count
  'L-1,Desk lamp v2,"Warm, brighter",2099,5,lamps', //           12 ok: same SKU, later wins
].join("\n");

describe("CSV import job", () => {
  let first: Awaited<ReturnType<typeof runImport>>;

  it("applies the good rows and reports each bad one with its line and reasons", async () => {
    first = await runImport(MIXED);
    expect(first.state).toBe("completed");
    expect(first.report).toMatchObject({
      rowsRead: 9,
      inserted: 3,
      updated: 1,
      unchanged: 0,
      rejected: 5,
    });
    expect(first.report.errors.map((e) => e.line)).toEqual([3, 6, 8, 10, 11]);
    const byLine = new Map(first.report.errors.map((e) => [e.line, e]));
    expect(byLine.get(3)).toMatchObject({
      sku: "L-2",
      reasons: [expect.stringMatching(/^name: /)],
    });
    expect(byLine.get(6)!.reasons).toEqual(["price_cents: must be a whole number of cents"]);
    expect(byLine.get(8)!.reasons).toEqual(['category: no category "nowhere"']);
    expect(byLine.get(10)!.sku).toBeUndefined();
    expect(byLine.get(10)!.reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^sku: /),
        expect.stringMatching(/^price_cents: /),
      ]),
    );
    expect(byLine.get(11)!.reasons).toEqual(["has 7 fields; the header has 6"]);

    const rows = await products();
    expect([...rows.keys()].sort()).toEqual(["C-1", "L-1", "L-3"]);
    expect(rows.get("L-1")).toMatchObject({
      name: "Desk lamp v2",
      price_cents: 2099,
      category: "lamps",
    });
    expect(rows.get("L-3")).toMatchObject({
      description: "Tall\nand slim",
      price_cents: 4999,
      stock: 2,
    });
    // Nothing of a bad row was written, not even the fields that were fine.
    const { rows: ghosts } = await backends.db.query(
      "SELECT 1 FROM products WHERE name IN ('Ghost lamp', 'Bad price', 'Too many', 'Thing')",
    );
    expect(ghosts).toEqual([]);
    // The uploaded file is deleted once the import is done.
    expect(await backends.storage.head(`imports/${first.id}.csv`)).toBeUndefined();
  });

  it("changes nothing when the same file is imported again", async () => {
    const before = await products();
    const again = await runImport(MIXED);
    // L-1 appears twice in the file: its first row sets it back, its second forward again.
    expect(again.report).toMatchObject({ inserted: 0, updated: 2, unchanged: 2, rejected: 5 });
    const after = await products();
    for (const [sku, row] of after) {
      const { version, ...rest } = row;
      const { version: versionBefore, ...restBefore } = before.get(sku)!;
      expect(rest).toEqual(restBefore);
      // Rows the file does not change are not touched at all: same version.
      if (sku !== "L-1") expect(version).toBe(versionBefore);
    }
  });

  it("keeps stored values for columns the file does not have", async () => {
    const { report } = await runImport(
      "sku,name,price_cents,category\nL-3,Floor lamp XL,5999,lamps\n",
    );
    expect(report).toMatchObject({ inserted: 0, updated: 1 });
    const row = (await products()).get("L-3")!;
    expect(row).toMatchObject({
      name: "Floor lamp XL",
      price_cents: 5999,
      description: "Tall\nand slim",
      stock: 2,
    });
    expect(row.version).toBe(2);
  });

  it("counts lines right in a CRLF file with a byte-order mark", async () => {
    const csv =
      "\uFEFFsku,name,price_cents,category\r\nW-1,One,1,lamps\r\n\r\nW-2,,1,lamps\r\nW-3,Three,x,lamps\r\n";
    const { report } = await runImport(csv);
    expect(report).toMatchObject({ inserted: 1, rejected: 2 });
    expect(report.errors.map((e) => e.line)).toEqual([4, 5]);
  });

  it("fails a file with a bad header at once, without retries", async () => {
    const { state, job } = await runImport("sku,name,prce_cents,category\nX-1,x,1,lamps\n");
    expect(state).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/unknown column "prce_cents"/);
    expect(job.failedReason).toMatch(/missing column "price_cents"/);
    expect((await products()).has("X-1")).toBe(false);
  });

  it("fails an empty file", async () => {
    const { state, job } = await runImport("");
    expect(state).toBe("failed");
    expect(job.failedReason).toMatch(/empty/);
  });

  it("keeps the rows before a quote left open, and names the line it opens on", async () => {
    // Batches of 3: rows 2-4 are committed by then, rows 5-6 are still pending.
    const csv = [
      "sku,name,price_cents,category",
      "Q-1,One,1,lamps",
      "Q-2,Two,1,lamps",
      "Q-3,Three,1,lamps",
      "Q-4,Four,1,lamps",
      "Q-5,Five,1,lamps",
      'Q-6,"Six,1,lamps',
      "Q-7,Seven,1,lamps",
    ].join("\n");
    const { state, job } = await runImport(csv);
    expect(state).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/^the file stops being valid CSV at line 7 \(/);
    expect(job.failedReason).toMatch(/the rows before it were imported$/);
    const rows = await products();
    expect(["Q-1", "Q-2", "Q-3", "Q-4", "Q-5"].filter((sku) => !rows.has(sku))).toEqual([]);
    expect(rows.has("Q-6") || rows.has("Q-7")).toBe(false);
  });

  it("refuses bytes that are not UTF-8 instead of storing U+FFFD, keeping the rows before", async () => {
    const csv = Buffer.concat([
      Buffer.from("sku,name,price_cents,category\nU-1,Caf\u00e9 cr\u00e8me,1,lamps\n"),
      Buffer.from("U-2,Caf\xe9 Latin-1,1,lamps\nU-3,Later,1,lamps\n", "latin1"),
    ]);
    const { state, job } = await runImport(csv);
    expect(state).toBe("failed");
    expect(job.failedReason).toBe(
      "the file stops being UTF-8 text at line 3 (save it as CSV UTF-8); the rows before it were imported",
    );
    const rows = await products();
    expect(rows.get("U-1")?.name).toBe("Caf\u00e9 cr\u00e8me");
    expect(rows.has("U-2") || rows.has("U-3")).toBe(false);
    const { rows: replaced } = await backends.db.query(
      "SELECT sku FROM products WHERE name LIKE '%' || chr(65533) || '%'",
    );
    expect(replaced).toEqual([]);
  });

  it("refuses a file that ends in the middle of a UTF-8 sequence", async () => {
    const csv = Buffer.concat([
      Buffer.from("sku,name,price_cents,category\nE-1,Fine,1,lamps\nE-2,Cut "),
      Buffer.from([0xe2, 0x82]),
    ]);
    const { state, job } = await runImport(csv);
    expect(state).toBe("failed");
    expect(job.failedReason).toMatch(/^the file stops being UTF-8 text at line 3 /);
    const rows = await products();
    expect(rows.has("E-1")).toBe(true);
    expect(rows.has("E-2")).toBe(false);
  });
});
