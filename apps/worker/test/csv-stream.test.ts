import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Utf8Check } from "../src/imports/csv-stream.ts";

/** What a Utf8Check passes on for `chunks`, and the error it records. */
async function check(chunks: Buffer[]) {
  const utf8 = new Utf8Check();
  const out: Buffer[] = [];
  for await (const piece of Readable.from(chunks, { objectMode: false }).pipe(utf8)) {
    out.push(piece as Buffer);
  }
  return { text: Buffer.concat(out).toString("utf8"), line: utf8.error?.line };
}

function splitEvery(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

describe("Utf8Check", () => {
  const text = "sku,name\r\nA-1,Café crème\nA-2,\u{1F600} naïve\nA-3,last line without end";

  it("passes UTF-8 on unchanged however the chunks cut its sequences", async () => {
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 5, 7, bytes.length]) {
      expect(await check(splitEvery(bytes, size))).toEqual({ text, line: undefined });
    }
  });

  it("stops before the first line that is not UTF-8 and names it", async () => {
    const bytes = Buffer.concat([
      Buffer.from("h\nok é\n"),
      Buffer.from("bad \xe9\nnext\n", "latin1"),
    ]);
    for (const size of [1, 4, bytes.length]) {
      expect(await check(splitEvery(bytes, size))).toEqual({ text: "h\nok é\n", line: 3 });
    }
  });

  it("refuses a sequence cut short by the end of the file", async () => {
    const bytes = Buffer.concat([Buffer.from("h\nrow\ncut "), Buffer.from([0xf0, 0x9f, 0x98])]);
    expect(await check(splitEvery(bytes, 2))).toEqual({ text: "h\nrow\n", line: 3 });
  });

  it("passes on a line longer than it holds, in pieces, without cutting a character", async () => {
    const long = `x,${"é".repeat(700_000)}\n`;
    const { text: out, line } = await check(splitEvery(Buffer.from(long), 65_537));
    expect(line).toBeUndefined();
    expect(out).toBe(long);
  });
});
