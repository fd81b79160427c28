import { Transform, type TransformCallback } from "node:stream";

/**
 * Turns CRLF line ends into LF, across chunk boundaries. csv-parse miscounts lines around
 * empty CRLF lines, and line numbers are what an admin uses to find a bad row; a CRLF inside
 * a quoted field becomes LF, which is harmless for product text.
 */
export class NormalizeNewlines extends Transform {
  #pendingCR = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let text = chunk.toString("latin1");
    if (this.#pendingCR) text = `\r${text}`;
    this.#pendingCR = text.endsWith("\r");
    if (this.#pendingCR) text = text.slice(0, -1);
    // latin1 maps bytes 1:1, so multi-byte UTF-8 sequences split across chunks survive intact.
    done(null, Buffer.from(text.replace(/\r\n/g, "\n"), "latin1"));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.#pendingCR ? Buffer.from("\r") : undefined);
  }
}

/** Counts the bytes that pass, for progress reports. */
export class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/**
 * Follows physical line numbers from each record's raw text (csv-parse's `raw` option): a
 * record starts after the empty lines before it and may span lines (a quoted line break).
 */
export class LineTracker {
  #lastEnd = 0;

  /** The 1-based line where the record whose raw text is `raw` starts. */
  advance(raw: string): number {
    const leading = /^\n*/.exec(raw)![0].length;
    const body = raw.slice(leading).replace(/\n$/, "");
    const start = this.#lastEnd + 1 + leading;
    this.#lastEnd = start + (body.match(/\n/g)?.length ?? 0);
    return start;
  }

  /** The line after the last complete record: where a parse error begins. */
  get nextLine(): number {
    return this.#lastEnd + 1;
  }
}
