import { isUtf8 } from "node:buffer";
import { Transform, type TransformCallback } from "node:stream";
import { Parser } from "csv-parse";

/** A line is passed on whole, up to this length; a longer one is passed on in pieces. */
const MAX_HELD_BYTES = 1024 * 1024;

/** The file has bytes that are not UTF-8 from `line` on: it is refused, not guessed at. */
export class NotUtf8Error extends Error {
  constructor(readonly line: number) {
    super(`line ${line} is not UTF-8 text (save the file as CSV UTF-8)`);
    this.name = "NotUtf8Error";
  }
}

/**
 * Passes on the bytes of a UTF-8 file, a line at a time, and stops at the first line that is
 * not UTF-8. Without it, csv-parse decodes such bytes (a spreadsheet saved as Windows-1252 or
 * Latin-1) as U+FFFD and every accented name would be stored as "caf\uFFFD". The lines before
 * the bad one are passed on and the output then ends normally, so the parser still emits
 * every row before it; the job reads `error` once the rows have been taken.
 */
export class Utf8Check extends Transform {
  error: NotUtf8Error | undefined;
  #held: Buffer = Buffer.alloc(0);
  #newlines = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.error) return done(); // the rest of the file is not read
    const data = this.#held.length > 0 ? Buffer.concat([this.#held, chunk]) : chunk;
    // Line breaks never occur inside a UTF-8 sequence, so whole lines can be checked alone.
    let cut = Math.max(data.lastIndexOf(0x0a), data.lastIndexOf(0x0d)) + 1;
    if (cut === 0 && data.length > MAX_HELD_BYTES) cut = charBoundary(data);
    if (!this.#passOn(data.subarray(0, cut))) return done();
    this.#held = Buffer.from(data.subarray(cut));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (!this.error) this.#passOn(this.#held);
    done();
  }

  /** Pushes `bytes` when they are UTF-8, else the lines before the bad one and the end. */
  #passOn(bytes: Buffer): boolean {
    if (isUtf8(bytes)) {
      if (bytes.length > 0) this.push(bytes);
      this.#newlines += countNewlines(bytes);
      return true;
    }
    let start = 0;
    for (;;) {
      const end = bytes.indexOf(0x0a, start);
      const line = bytes.subarray(start, end === -1 ? bytes.length : end + 1);
      if (end === -1 || !isUtf8(line)) break;
      start = end + 1;
      this.#newlines++;
    }
    if (start > 0) this.push(bytes.subarray(0, start));
    this.error = new NotUtf8Error(this.#newlines + 1);
    this.push(null);
    return false;
  }
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) count++;
  return count;
}

/** The length of `bytes` without a UTF-8 sequence cut short at its end. */
function charBoundary(bytes: Buffer): number {
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 4); i--) {
    const byte = bytes[i]!;
    if (byte < 0x80) return bytes.length; // ASCII: nothing cut
    if (byte >= 0xc0) {
      const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return i + size <= bytes.length ? bytes.length : i;
    }
  }
  return bytes.length;
}

/** What `InBandErrorParser` yields after the records parsed before a parse error. */
export interface ParseFailure {
  error: Error;
}

/**
 * csv-parse's stream, except that a parse error does not destroy it: the error comes out as a
 * last item `{ error }`, after every record parsed before it. A destroyed stream's async
 * iterator throws at once and drops the records still buffered, so an import that failed at
 * line 900 skipped rows it then reported as imported.
 */
export class InBandErrorParser extends Parser {
  #failed = false;

  override _transform(chunk: Buffer, encoding: BufferEncoding, done: TransformCallback): void {
    if (this.#failed) return done();
    super._transform(chunk, encoding, (error?: Error | null) => this.#settle(error, done));
  }

  override _flush(done: TransformCallback): void {
    if (this.#failed) return done();
    super._flush((error?: Error | null) => this.#settle(error, done));
  }

  #settle(error: Error | null | undefined, done: TransformCallback): void {
    if (error) {
      this.#failed = true;
      this.push({ error } satisfies ParseFailure);
      this.push(null);
    }
    done();
  }
}
