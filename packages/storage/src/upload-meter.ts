import crypto from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

/** The stream carried more bytes than allowed. */
export class UploadTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the upload is larger than ${limitBytes} bytes`);
    this.name = "UploadTooLargeError";
  }
}

export interface UploadMeterOptions<T = void> {
  limitBytes: number;
  /** How many leading bytes `inspectHead` receives (fewer if the stream is shorter). */
  headBytes?: number;
  /** How many trailing bytes to keep for `tail` (end-of-file markers). */
  tailBytes?: number;
  /**
   * Called once with the first `headBytes` bytes, before they are passed on: throw to stop the
   * upload at once (a wrong file type is refused before the rest of it is read).
   */
  inspectHead?: (head: Buffer) => T;
}

/**
 * A pass-through that measures what flows through it while it streams: byte count, SHA-256,
 * the first and last bytes; and fails the stream as soon as it exceeds `limitBytes`. Holds at
 * most `headBytes + tailBytes` of the data itself.
 */
export class UploadMeter<T = void> extends Transform {
  bytes = 0;
  /** What `inspectHead` returned (a detected file type, say); emitted as "inspected". */
  inspected: T | undefined;
  readonly #hash = crypto.createHash("sha256");
  readonly #o: Required<UploadMeterOptions<T>>;
  #head: Buffer[] = [];
  #headLength = 0;
  #inspected = false;
  #tail = Buffer.alloc(0);
  #sha256: string | undefined;

  constructor(options: UploadMeterOptions<T>) {
    super();
    this.#o = {
      headBytes: 32,
      tailBytes: 32,
      inspectHead: () => undefined as T,
      ...options,
    };
  }

  /** The hex SHA-256 of every byte, once the stream has ended. */
  get sha256(): string {
    if (this.#sha256 === undefined) throw new Error("the stream has not ended");
    return this.#sha256;
  }

  get head(): Buffer {
    return Buffer.concat(this.#head);
  }

  get tail(): Buffer {
    return this.#tail;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.#o.limitBytes) {
      done(new UploadTooLargeError(this.#o.limitBytes));
      return;
    }
    this.#hash.update(chunk);
    const keep = this.#o.tailBytes;
    this.#tail =
      chunk.length >= keep
        ? Buffer.from(chunk.subarray(chunk.length - keep))
        : Buffer.concat([this.#tail, chunk]).subarray(-keep);
    if (!this.#inspected) {
      this.#head.push(chunk);
      this.#headLength += chunk.length;
      if (this.#headLength >= this.#o.headBytes) {
        try {
          this.#inspect();
        } catch (error) {
          done(error as Error);
          return;
        }
        // Everything held back so far goes out at once.
        const pending = Buffer.concat(this.#head);
        this.#head = [pending.subarray(0, this.#o.headBytes)];
        done(null, pending);
        return;
      }
      done();
      return;
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    try {
      if (!this.#inspected) {
        this.#inspect();
        const pending = Buffer.concat(this.#head);
        if (pending.length > 0) this.push(pending);
      }
      this.#sha256 = this.#hash.digest("hex");
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  #inspect(): void {
    this.#inspected = true;
    this.inspected = this.#o.inspectHead(Buffer.concat(this.#head).subarray(0, this.#o.headBytes));
    this.emit("inspected", this.inspected);
  }
}
