import crypto from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeImage } from "../../../../test/support/images.ts";
import { call, expectProblem } from "../support/http.ts";
import { startTestApi } from "../support/test-api.ts";
import {
  allKeys,
  newProduct,
  postForm,
  startUploadSuite,
  uploadChunked,
  uploadFile,
  type UploadSuite,
} from "../support/uploads.ts";

// Small, so "too large" needs no large test file.
const LIMIT = 256 * 1024;
let suite: UploadSuite;

beforeAll(async () => {
  suite = await startUploadSuite({ UPLOAD_LIMIT_BYTES: String(LIMIT) });
});

afterAll(async () => {
  await suite?.stop();
});

const sha256 = (bytes: Buffer) => crypto.createHash("sha256").update(bytes).digest("hex");

async function imageRows(productId: number) {
  const { rows } = await suite.db.query(
    "SELECT object_key, content_type, byte_size FROM product_images WHERE product_id = $1",
    [productId],
  );
  return rows;
}

/** The bucket holds nothing but content-addressed images and their thumbnails. */
async function expectOnlyImageKeys() {
  for (const key of await allKeys(suite.a.app.storage)) {
    expect(key).toMatch(/^images\/[0-9a-f]{64}(\.[a-z]+\.webp)?$/);
  }
}

describe("POST /api/products/:id/images", () => {
  it("stores on one instance, and every instance serves the same bytes with a year-long cache", async () => {
    const productId = await newProduct(suite);
    const png = await makeImage("png", { seed: 10 });
    const reply = await uploadFile(
      suite.a.url,
      `/api/products/${productId}/images`,
      { bytes: png, name: "lamp.png", type: "image/png" },
      { token: suite.adminToken },
    );
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    const key = `images/${sha256(png)}`;
    expect(reply.body).toMatchObject({
      productId,
      key,
      url: `/api/${key}`,
      contentType: "image/png",
      byteSize: png.length,
      thumbnails: {},
    });
    expect(reply.headers.get("location")).toBe(`/api/${key}`);
    expect(reply.headers.get("cache-control")).toBe("private, no-store");
    expect(await imageRows(productId)).toEqual([
      { object_key: key, content_type: "image/png", byte_size: png.length },
    ]);

    const served = await fetch(`${suite.b.url}/api/${key}`);
    expect(served.status).toBe(200);
    expect(served.headers.get("x-instance")).toBe("api-b");
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(served.headers.get("etag")).toBe(`"${sha256(png)}"`);
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);

    const revalidated = await fetch(`${suite.b.url}/api/${key}`, {
      headers: { "if-none-match": `"${sha256(png)}"` },
    });
    expect(revalidated.status).toBe(304);

    // The product's own representation lists it, on the other instance too.
    const product = await call(suite.b.url, "GET", `/api/products/${productId}`);
    expect(product.body.images).toEqual([
      expect.objectContaining({ key, contentType: "image/png" }),
    ]);
    await expectOnlyImageKeys();
  });

  it("decides the type from the bytes, whatever the name and declared type", async () => {
    const productId = await newProduct(suite);
    for (const [format, type] of [
      ["jpeg", "image/jpeg"],
      ["webp", "image/webp"],
    ] as const) {
      const bytes = await makeImage(format, { seed: 11 });
      const reply = await uploadFile(
        suite.a.url,
        `/api/products/${productId}/images`,
        { bytes, name: "picture.gif", type: "application/octet-stream" },
        { token: suite.adminToken },
      );
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      expect(reply.body.contentType).toBe(type);
      const served = await fetch(`${suite.a.url}${reply.body.url}`);
      expect(served.headers.get("content-type")).toBe(type);
    }
  });

  it("answers 200 with the same image when the same bytes are uploaded again", async () => {
    const productId = await newProduct(suite);
    const bytes = await makeImage("png", { seed: 12 });
    const path = `/api/products/${productId}/images`;
    const file = { bytes, name: "a.png", type: "image/png" };
    const first = await uploadFile(suite.a.url, path, file, { token: suite.adminToken });
    const second = await uploadFile(suite.b.url, path, file, { token: suite.adminToken });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(await imageRows(productId)).toHaveLength(1);
  });

  describe("refuses bad input, storing nothing", () => {
    let productId: number;
    const path = () => `/api/products/${productId}/images`;
    beforeAll(async () => {
      productId = await newProduct(suite);
    });

    const refused = async (reply: Awaited<ReturnType<typeof uploadFile>>, status: number) => {
      expectProblem(reply, status);
      expect(await imageRows(productId)).toEqual([]);
      await expectOnlyImageKeys();
    };

    it("a text file named and declared as a PNG: 415", async () => {
      const bytes = Buffer.from("#!/bin/sh\necho definitely not an image\n".repeat(20));
      const reply = await uploadFile(
        suite.a.url,
        path(),
        { bytes, name: "cat.png", type: "image/png" },
        { token: suite.adminToken },
      );
      await refused(reply, 415);
      expect(reply.body.detail).toMatch(/not a JPEG, PNG or WebP/);
    });

    it("a GIF and an SVG under image names: 415", async () => {
      const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: "red" } })
        .gif()
        .toBuffer();
      const svg = Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      );
      for (const bytes of [gif, svg]) {
        const reply = await uploadFile(
          suite.a.url,
          path(),
          { bytes, name: "photo.jpg", type: "image/jpeg" },
          { token: suite.adminToken },
        );
        await refused(reply, 415);
      }
    });

    it("an empty file: 400", async () => {
      const reply = await uploadFile(
        suite.a.url,
        path(),
        { bytes: Buffer.alloc(0), name: "empty.png", type: "image/png" },
        { token: suite.adminToken },
      );
      await refused(reply, 400);
      expect(reply.body.detail).toMatch(/empty/);
    });

    it("a truncated image: 422", async () => {
      for (const format of ["png", "jpeg", "webp"] as const) {
        const whole = await makeImage(format, { seed: 13 });
        const reply = await uploadFile(
          suite.a.url,
          path(),
          {
            bytes: whole.subarray(0, Math.floor(whole.length * 0.6)),
            name: `x.${format}`,
            type: "image/png",
          },
          { token: suite.adminToken },
        );
        await refused(reply, 422);
        expect(reply.body.detail).toMatch(/truncated/);
      }
    });

    it("a file over UPLOAD_LIMIT_BYTES: 413 problem+json, declared or streamed", async () => {
      // Noise does not compress: a 400×400 PNG of it is about 480 KB.
      const noise = crypto.randomBytes(400 * 400 * 3);
      const big = await sharp(noise, { raw: { width: 400, height: 400, channels: 3 } })
        .png()
        .toBuffer();
      expect(big.length).toBeGreaterThan(LIMIT);
      const declared = await uploadFile(
        suite.a.url,
        path(),
        { bytes: big, name: "big.png", type: "image/png" },
        { token: suite.adminToken },
      );
      await refused(declared, 413);
      expect(declared.body.limitBytes).toBe(LIMIT);

      // Without Content-Length the bytes are counted as they stream.
      const streamed = await uploadChunked(
        suite.a.url,
        path(),
        { bytes: big, name: "big.png", type: "image/png" },
        suite.adminToken,
      );
      await refused(streamed, 413);
    });

    it("no file part, or a second part after the file: 400, and no image recorded", async () => {
      const noFile = new FormData();
      noFile.append("note", "no file here");
      await refused(await postForm(suite.a.url, path(), noFile, suite.adminToken), 400);

      const png = await makeImage("png", { seed: 14 });
      const other = await makeImage("png", { seed: 15 });
      // Not a 201 for the first file alone: the client would think both were kept.
      const two = new FormData();
      two.append("file", new Blob([png], { type: "image/png" }), "a.png");
      two.append("file", new Blob([other], { type: "image/png" }), "b.png");
      const fileThenField = new FormData();
      fileThenField.append("file", new Blob([png], { type: "image/png" }), "a.png");
      fileThenField.append("note", "after the file");
      for (const form of [two, fileThenField]) {
        const reply = await postForm(suite.a.url, path(), form, suite.adminToken);
        await refused(reply, 400);
        expect((reply.body as { detail: string }).detail).toBe(
          "send exactly one file, in one multipart part",
        );
      }
    });

    it("multipart/form-data without a boundary: 400, not a crash of the parser", async () => {
      const png = await makeImage("png", { seed: 16 });
      const reply = await fetch(suite.a.url + path(), {
        method: "POST",
        body: png,
        headers: {
          authorization: `Bearer ${suite.adminToken}`,
          "content-type": "multipart/form-data",
        },
      });
      expect(reply.status).toBe(400);
      expect(reply.headers.get("content-type")).toContain("application/problem+json");
      expect(((await reply.json()) as { detail: string }).detail).toContain("boundary");
    });

    it("JSON instead of multipart: 415", async () => {
      const reply = await call(suite.a.url, "POST", path(), {
        body: { image: "base64..." },
        token: suite.adminToken,
      });
      expectProblem(reply, 415);
    });
  });

  it("ignores path-like file names: the key is the hash, nothing lands outside images/", async () => {
    const productId = await newProduct(suite);
    const names = [
      "../../etc/passwd.png",
      "..\\..\\windows\\win.ini.png",
      "/tmp/abs.png",
      "a/../../b.png",
      "%2e%2e%2fx.png",
    ];
    for (const [i, name] of names.entries()) {
      const bytes = await makeImage("png", { seed: 20 + i });
      const reply = await uploadFile(
        suite.a.url,
        `/api/products/${productId}/images`,
        { bytes, name, type: "image/png" },
        { token: suite.adminToken },
      );
      expect(reply.status, name).toBe(201);
      expect(reply.body.key).toBe(`images/${sha256(bytes)}`);
      expect(JSON.stringify(reply.body)).not.toMatch(/passwd|win\.ini|abs|\.\./);
    }
    await expectOnlyImageKeys();
  });

  it("is for admins only, on existing products, from this origin", async () => {
    const productId = await newProduct(suite);
    const file = { bytes: await makeImage("png", { seed: 30 }), name: "a.png", type: "image/png" };
    const path = `/api/products/${productId}/images`;
    expectProblem(await uploadFile(suite.a.url, path, file), 401);
    expectProblem(await uploadFile(suite.a.url, path, file, { token: suite.customerToken }), 403);
    expectProblem(
      await uploadFile(suite.a.url, "/api/products/999999/images", file, {
        token: suite.adminToken,
      }),
      404,
    );
    expectProblem(
      await uploadFile(suite.a.url, path, file, {
        token: suite.adminToken,
        headers: { origin: "https://evil.example" },
      }),
      403,
    );
    const sameOrigin = await uploadFile(suite.a.url, path, file, {
      token: suite.adminToken,
      headers: { origin: suite.a.url },
    });
    expect(sameOrigin.status).toBe(201);
  });

  it("answers 503 and records nothing while storage is down, and recovers", async () => {
    const productId = await newProduct(suite);
    const stored = await uploadFile(
      suite.a.url,
      `/api/products/${productId}/images`,
      { bytes: await makeImage("png", { seed: 40 }), name: "ok.png", type: "image/png" },
      { token: suite.adminToken },
    );
    expect(stored.status).toBe(201);
    await suite.s3.stop();
    try {
      const bytes = await makeImage("png", { seed: 41 });
      const reply = await uploadFile(
        suite.a.url,
        `/api/products/${productId}/images`,
        { bytes, name: "down.png", type: "image/png" },
        { token: suite.adminToken },
      );
      expectProblem(reply, 503);
      expect(reply.headers.get("retry-after")).toBeTruthy();
      expect(await imageRows(productId)).toHaveLength(1);
      expectProblem(await call(suite.b.url, "GET", stored.body.url), 503);
      // The instance stays ready: storage is not what readiness is about.
      expect((await fetch(`${suite.a.url}/ready`)).status).toBe(200);
    } finally {
      await suite.s3.restart();
    }
    const again = await uploadFile(
      suite.a.url,
      `/api/products/${productId}/images`,
      { bytes: await makeImage("png", { seed: 41 }), name: "up.png", type: "image/png" },
      { token: suite.adminToken },
    );
    expect(again.status).toBe(201);
    expect(await imageRows(productId)).toHaveLength(2);
  });

  it("serves the same bytes after every instance restarted", async () => {
    const productId = await newProduct(suite);
    const bytes = await makeImage("jpeg", { seed: 50 });
    const reply = await uploadFile(
      suite.a.url,
      `/api/products/${productId}/images`,
      { bytes, name: "a.jpg", type: "image/jpeg" },
      { token: suite.adminToken },
    );
    await Promise.all([suite.a.close(), suite.b.close()]);
    suite.a = await startTestApi(suite.backends, { ...suite.env, INSTANCE_ID: "api-a" });
    suite.b = await startTestApi(suite.backends, { ...suite.env, INSTANCE_ID: "api-b" });
    const served = await fetch(`${suite.b.url}${reply.body.url}`);
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("GET /api/images/:name is 404 for unknown and malformed names", async () => {
    const unknown = await call(suite.a.url, "GET", `/api/images/${"0".repeat(64)}`);
    expectProblem(unknown, 404);
    // Nothing of the image's answer: no ETag, no year of caching.
    expect(unknown.headers.get("etag")).toBeNull();
    expect(unknown.headers.get("cache-control")).not.toMatch(/immutable/);
    expectProblem(await call(suite.a.url, "GET", "/api/images/..%2F..%2Fetc%2Fpasswd"), 404);
    expectProblem(await call(suite.a.url, "GET", "/api/images/tmp"), 404);
  });
});
