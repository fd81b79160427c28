import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

type Field = string | number | null;

// COPY's text format: tab-separated, \N for NULL, and these four characters escaped.
const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function encodeField(value: Field): string {
  if (value === null) return "\\N";
  const text = String(value);
  return SPECIAL.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : text;
}

/** One row as a line of COPY text. */
export function encodeRow(row: readonly Field[]): string {
  return row.map(encodeField).join("\t") + "\n";
}

export interface CopyRowsOptions {
  table: string;
  columns: readonly string[];
  rows: Iterable<readonly Field[]>;
  /** Called after each batch is handed to the socket, with the rows sent so far. */
  onRows?: (sent: number) => void;
  /** Rows per chunk: large enough that per-chunk overhead vanishes, small enough to stream. */
  batchSize?: number;
}

/**
 * Streams `rows` into `table` with COPY FROM STDIN. Rows are generated only as fast as
 * PostgreSQL takes them (stream back-pressure), so memory stays flat at any count.
 * Returns the number of rows PostgreSQL reports as copied.
 */
export async function copyRows(client: pg.ClientBase, options: CopyRowsOptions): Promise<number> {
  const { table, columns, onRows, batchSize = 2_000 } = options;
  const iterator = options.rows[Symbol.iterator]();
  let sent = 0;
  const source = new Readable({
    read() {
      let chunk = "";
      let n = 0;
      for (; n < batchSize; n++) {
        const next = iterator.next();
        if (next.done) break;
        chunk += encodeRow(next.value);
      }
      if (n > 0) {
        sent += n;
        this.push(chunk);
        onRows?.(sent);
      }
      if (n < batchSize) this.push(null);
    },
  });
  const target = client.query(
    copyFrom(`COPY ${table} (${columns.join(", ")}) FROM STDIN (FORMAT text)`),
  );
  await pipeline(source, target);
  return target.rowCount;
}
