import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyRows, encodeRow } from "../../src/seed/copy-rows.ts";
import { createTestDatabase } from "../../../../test/support/database.ts";

describe("copyRows", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query("CREATE TABLE copy_test (n int, t text)");
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it("escapes what COPY's text format treats specially", async () => {
    const tricky = ["tab\there", "line\nbreak", "back\\slash", "cr\rhere", "\\N", "ünïcødé ✓", ""];
    const rows = tricky.map((t, i) => [i, t] as const);
    const copied = await copyRows(client, { table: "copy_test", columns: ["n", "t"], rows });
    expect(copied).toBe(tricky.length);
    await copyRows(client, { table: "copy_test", columns: ["n", "t"], rows: [[99, null]] });
    const { rows: back } = await client.query("SELECT n, t FROM copy_test ORDER BY n");
    expect(back).toEqual([...tricky.map((t, n) => ({ n, t })), { n: 99, t: null }]);
  });

  it("streams many batches and reports progress", async () => {
    await client.query("TRUNCATE copy_test");
    function* many() {
      for (let i = 0; i < 25_000; i++) yield [i, `row ${i}`] as const;
    }
    const seen: number[] = [];
    const copied = await copyRows(client, {
      table: "copy_test",
      columns: ["n", "t"],
      rows: many(),
      batchSize: 1_000,
      onRows: (n) => seen.push(n),
    });
    expect(copied).toBe(25_000);
    expect(seen).toHaveLength(25);
    expect(seen.at(-1)).toBe(25_000);
  });

  it("encodes one row per line", () => {
    expect(encodeRow([1, "a\tb", null])).toBe("1\ta\\tb\t\\N\n");
  });
});
