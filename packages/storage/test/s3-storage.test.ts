import crypto from "node:crypto";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestS3, type TestS3 } from "../../../test/support/s3.ts";
import {
  ObjectNotFoundError,
  StorageUnavailableError,
  UploadTooLargeError,
  createStorage,
  imageKey,
  storeContentAddressed,
  type Storage,
} from "../src/index.ts";

let s3: TestS3;
let storage: Storage;

beforeAll(async () => {
  s3 = await startTestS3();
  storage = createStorage(s3.config);
});

afterAll(async () => {
  storage?.close();
  await s3?.destroy();
});

/** A stream of `size` pseudo-random bytes in 64 KiB chunks, never held whole. */
function randomStream(size: number, seed = "x"): { stream: Readable; sha256: string } {
  const hash = crypto.createHash("sha256");
  const chunks: Buffer[] = [];
  let left = size;
  let counter = 0;
  while (left > 0) {
    const n = Math.min(left, 64 * 1024);
    const chunk = Buffer.alloc(n);
    for (let i = 0; i < n; i += 32) {
      crypto
        .createHash("sha256")
        .update(`${seed}${counter++}`)
        .digest()
        .copy(chunk, i, 0, Math.min(32, n - i));
    }
    hash.update(chunk);
    chunks.push(chunk);
    left -= n;
  }
  return { stream: Readable.from(chunks), sha256: hash.digest("hex") };
}

describe("S3 storage on s3rver", () => {
  it("creates the missing bucket and round-trips an object", async () => {
    await storage.put("notes/a.txt", Buffer.from("hello"), { contentType: "text/plain" });
    const object = await storage.get("notes/a.txt");
    expect(object.contentType).toBe("text/plain");
    expect(await text(object.body)).toBe("hello");
    await storage.delete("notes/a.txt");
    expect(await storage.head("notes/a.txt")).toBeUndefined();
    await expect(storage.get("notes/a.txt")).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it("stores a multipart stream under the SHA-256 of its bytes and leaves no temporary object", async () => {
    // Larger than one 5 MiB part, so lib-storage really uses a multipart upload.
    const { stream, sha256 } = randomStream(11 * 1024 * 1024 + 17);
    const stored = await storeContentAddressed(storage, stream, {
      limitBytes: 20 * 1024 * 1024,
      inspectHead: () => "bin",
      contentTypeOf: () => "application/octet-stream",
      keyFor: imageKey,
    });
    expect(stored).toMatchObject({
      key: imageKey(sha256),
      sha256,
      byteSize: 11 * 1024 * 1024 + 17,
    });
    const info = await storage.head(stored.key);
    expect(info?.contentLength).toBe(11 * 1024 * 1024 + 17);
    const temporaries = [];
    for await (const object of storage.list("tmp/")) temporaries.push(object.key);
    expect(temporaries).toEqual([]);
  });

  it("refuses a stream over the limit and keeps nothing of it", async () => {
    const { stream, sha256 } = randomStream(300 * 1024, "big");
    await expect(
      storeContentAddressed(storage, stream, {
        limitBytes: 100 * 1024,
        contentTypeOf: () => "application/octet-stream",
        keyFor: imageKey,
      }),
    ).rejects.toBeInstanceOf(UploadTooLargeError);
    expect(await storage.head(imageKey(sha256))).toBeUndefined();
    const keys = [];
    for await (const object of storage.list("")) keys.push(object.key);
    expect(keys.filter((k) => k.startsWith("tmp/"))).toEqual([]);
  });

  it("refuses from the first bytes, before reading the rest", async () => {
    let pulled = 0;
    const source = new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(64 * 1024, 1));
        if (pulled > 1000) this.push(null);
      },
    });
    await expect(
      storeContentAddressed(storage, source, {
        limitBytes: 1024 * 1024 * 1024,
        inspectHead: () => {
          throw new Error("not an image");
        },
        contentTypeOf: () => "x",
        keyFor: imageKey,
      }),
    ).rejects.toThrow("not an image");
    expect(pulled).toBeLessThan(50);
  });

  it("reports an unreachable server as StorageUnavailableError", async () => {
    const down = createStorage({ ...s3.config, endpoint: "http://127.0.0.1:9" });
    try {
      await expect(down.head("x")).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(
        down.put("x", Buffer.from("x"), { contentType: "text/plain" }),
      ).rejects.toBeInstanceOf(StorageUnavailableError);
    } finally {
      down.close();
    }
  });
});
