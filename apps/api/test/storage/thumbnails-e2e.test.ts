import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeImage } from "../../../../test/support/images.ts";
import { spawnWorker, type WorkerProcess } from "../../../worker/test/support/worker-process.ts";
import { call } from "../support/http.ts";
import { newProduct, startUploadSuite, uploadFile, type UploadSuite } from "../support/uploads.ts";

let suite: UploadSuite;
let worker: WorkerProcess;

beforeAll(async () => {
  suite = await startUploadSuite();
  worker = await spawnWorker({
    ...suite.env,
    LOG_LEVEL: "info",
    DATABASE_URL: suite.backends.databaseUrl,
    REDIS_STATE_URL: suite.backends.redisUrl,
    DB_POOL_SIZE: "2",
    DB_POOL_OVERFLOW: "1",
  });
});

afterAll(async () => {
  await worker?.kill();
  await suite?.stop();
});

describe("upload to thumbnails, end to end", () => {
  it("an uploaded image gets three thumbnails, listed with the product and served by every instance", async () => {
    const productId = await newProduct(suite);
    const reply = await uploadFile(
      suite.a.url,
      `/api/products/${productId}/images`,
      {
        bytes: await makeImage("jpeg", { width: 1600, height: 900 }),
        name: "wide.jpg",
        type: "image/jpeg",
      },
      { token: suite.adminToken },
    );
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);

    const deadline = Date.now() + 30_000;
    let image;
    for (;;) {
      const product = await call(suite.b.url, "GET", `/api/products/${productId}`, {
        headers: { "cache-control": "no-cache" },
      });
      image = product.body.images?.[0];
      if (image && Object.keys(image.thumbnails).length === 3) break;
      if (Date.now() > deadline) throw new Error(`no thumbnails: ${JSON.stringify(product.body)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(image).toMatchObject({ width: 1600, height: 900 });
    expect(image.thumbnails.small).toMatchObject({ width: 160, height: 90 });
    for (const size of ["small", "medium", "large"]) {
      const served = await fetch(`${suite.a.url}/api/${image.thumbnails[size].key}`);
      expect(served.status).toBe(200);
      expect(served.headers.get("content-type")).toBe("image/webp");
      expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
      expect(meta.width).toBe(image.thumbnails[size].width);
    }
  });
});
