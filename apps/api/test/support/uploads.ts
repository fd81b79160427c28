import type pg from "pg";
import type { Storage } from "@strata/storage";
import { startTestS3, type TestS3 } from "../../../../test/support/s3.ts";
import { connect, createCategory, createProducts, createUser, login } from "./factories.ts";
import type { Reply } from "./http.ts";
import { startBackends, startTestApi, type TestApi, type TestBackends } from "./test-api.ts";

export interface UploadSuite {
  backends: TestBackends;
  s3: TestS3;
  db: pg.Client;
  /** Two instances on the same PostgreSQL, Redis and S3 server. */
  a: TestApi;
  b: TestApi;
  adminToken: string;
  customerToken: string;
  categoryId: number;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Backends, a private S3 server, two API instances, an admin and a customer session. */
export async function startUploadSuite(env: Record<string, string> = {}): Promise<UploadSuite> {
  const [backends, s3] = await Promise.all([startBackends(), startTestS3()]);
  // Rate limits are tested elsewhere; many uploads from one address must not trip them here.
  const fullEnv = {
    ...s3.env,
    RATE_LIMIT_ENABLED: "false",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...env,
  };
  const a = await startTestApi(backends, { ...fullEnv, INSTANCE_ID: "api-a" });
  const b = await startTestApi(backends, { ...fullEnv, INSTANCE_ID: "api-b" });
  const db = await connect(backends.databaseUrl);
  const admin = await createUser(db, a, { role: "admin" });
  const customer = await createUser(db, a);
  const category = await createCategory(db);
  return {
    backends,
    s3,
    db,
    a,
    b,
    adminToken: await login(a, admin.email),
    customerToken: await login(a, customer.email),
    categoryId: category.id,
    env: fullEnv,
    async stop() {
      await Promise.allSettled([a.close(), b.close()]);
      await db.end();
      await Promise.allSettled([backends.stop(), s3.destroy()]);
    },
  };
}

export async function newProduct(suite: UploadSuite): Promise<number> {
  const [id] = await createProducts(suite.db, [{ categoryId: suite.categoryId }]);
  return id!;
}

/** Sends one file as multipart/form-data (what a browser's FormData sends). */
export async function uploadFile(
  url: string,
  path: string,
  file: { bytes: Buffer; name: string; type: string; field?: string },
  { token, headers = {} }: { token?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const form = new FormData();
  form.append(file.field ?? "file", new Blob([file.bytes], { type: file.type }), file.name);
  const response = await fetch(url + path, {
    method: "POST",
    body: form,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  return asReply(response);
}

/** Posts a form as built by the caller (several parts, fields), as an admin would. */
export async function postForm(
  url: string,
  path: string,
  form: FormData,
  token: string,
): Promise<Reply> {
  const response = await fetch(url + path, {
    method: "POST",
    body: form,
    headers: { authorization: `Bearer ${token}` },
  });
  return asReply(response);
}

/**
 * Sends a multipart body as a stream of unknown length (chunked), so the server cannot refuse
 * it from Content-Length and must count the bytes as they arrive.
 */
export async function uploadChunked(
  url: string,
  path: string,
  file: { bytes: Buffer; name: string; type: string },
  token: string,
): Promise<Reply> {
  const boundary = `----strata${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const parts = [head, file.bytes, tail];
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = parts.shift();
      if (next) {
        // 64 KiB at a time, like a slow client.
        for (let i = 0; i < next.length; i += 65536)
          controller.enqueue(next.subarray(i, i + 65536));
      } else controller.close();
    },
  });
  // Node's fetch needs `duplex: "half"` for a streamed request body.
  const init: RequestInit & { duplex: "half" } = {
    method: "POST",
    body,
    duplex: "half",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": `multipart/form-data; boundary=${boundary}`,
    },
  };
  const response = await fetch(url + path, init);
  return asReply(response);
}

async function asReply(response: Response): Promise<Reply> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, body };
}

/** Every key in the bucket. */
export async function allKeys(storage: Storage): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of storage.list("")) keys.push(object.key);
  return keys.sort();
}
