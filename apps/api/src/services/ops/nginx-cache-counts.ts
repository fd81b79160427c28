import fs from "node:fs/promises";
import { apiAccessLine } from "./nginx-access-line.ts";

/** The most read at one scrape; the rest waits for the next one. */
const MAX_READ_BYTES = 8 * 1024 * 1024;

/**
 * Counts nginx's answers to /api requests by their cache status (HIT, MISS, BYPASS, STALE,
 * UPDATING, EXPIRED, REVALIDATED; "none" where no cache applies) from its JSON access log,
 * for /metrics. It follows the file like `tail -F`: it starts at the end, so like any
 * Prometheus counter it counts from when this instance started (every instance that reads the
 * same log shows the same rates), reads what was appended since the last call, keeps a line
 * cut at the end for the next one, and starts again at the beginning when the file was
 * replaced or truncated (log rotation). Open-source nginx has no cache counters of its own.
 */
export class NginxCacheCounts {
  readonly #file: string;
  #offset: number | undefined;
  #inode: number | undefined;
  #partial = Buffer.alloc(0);
  /** The byte before #offset, to tell a file truncated and written again past it. */
  #lastByte: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: string) {
    this.#file = file;
  }

  /** Starts following at the current end of the file (or its start once it exists). */
  async start(): Promise<void> {
    const handle = await fs.open(this.#file, "r").catch(() => undefined);
    if (!handle) {
      this.#offset = 0;
      return;
    }
    try {
      const { size, ino } = await handle.stat();
      this.#offset = size;
      this.#inode = ino;
      if (size > 0) {
        const byte = Buffer.alloc(1);
        await handle.read(byte, 0, 1, size - 1);
        this.#lastByte = byte[0];
      }
    } finally {
      await handle.close();
    }
  }

  /**
   * Counts per cache status in the lines appended since the last call. Calls run one after
   * another, so two scrapes at once each get their own lines, never the same ones twice.
   */
  read(): Promise<Map<string, number>> {
    const next = this.#queue.then(() => this.#read());
    this.#queue = next.catch(() => {});
    return next;
  }

  async #read(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const handle = await fs.open(this.#file, "r").catch(() => undefined);
    if (!handle) return counts;
    let bytes: Buffer;
    try {
      const { size, ino } = await handle.stat();
      if (
        this.#offset === undefined ||
        ino !== this.#inode ||
        size < this.#offset ||
        !(await this.#sameBefore(handle))
      ) {
        // First sight of the file, or a new one: everything in it is new.
        this.#offset = this.#offset === undefined && this.#inode === undefined ? size : 0;
        this.#inode = ino;
        this.#partial = Buffer.alloc(0);
      }
      const length = Math.min(size - this.#offset, MAX_READ_BYTES);
      if (length <= 0) return counts;
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, this.#offset);
      this.#offset += bytesRead;
      this.#lastByte = buffer[bytesRead - 1];
      bytes = Buffer.concat([this.#partial, buffer.subarray(0, bytesRead)]);
    } finally {
      await handle.close();
    }
    // Bytes, not text, are kept for the next read: a cut may fall inside a UTF-8 character.
    const end = bytes.lastIndexOf(0x0a);
    const rest = bytes.subarray(end + 1);
    // A "line" this long is not nginx's: drop it rather than grow without bound.
    this.#partial = rest.length > 64 * 1024 ? Buffer.alloc(0) : Buffer.from(rest);
    for (const line of bytes.toString("utf8", 0, end + 1).split("\n")) {
      const entry = apiAccessLine(line);
      if (!entry) continue;
      const status = entry.cache_status && entry.cache_status !== "-" ? entry.cache_status : "none";
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
    return counts;
  }

  /** False when the byte before the offset changed: the log was truncated and rewritten. */
  async #sameBefore(handle: fs.FileHandle): Promise<boolean> {
    if (!this.#offset || this.#lastByte === undefined) return true;
    const byte = Buffer.alloc(1);
    const { bytesRead } = await handle.read(byte, 0, 1, this.#offset - 1);
    return bytesRead === 1 && byte[0] === this.#lastByte;
  }
}
