import crypto from "node:crypto";
import type { ImportProgress } from "@strata/queue";
import { importKey } from "@strata/storage";
import type { WorkerBackends } from "./worker-backends.ts";

/** Stores `csv` as an uploaded import file and enqueues its job, as the API does. */
export async function enqueueCsv(
  backends: WorkerBackends,
  csv: string | Buffer,
  fileName = "products.csv",
) {
  const importId = crypto.randomUUID();
  const body = Buffer.isBuffer(csv) ? csv : Buffer.from(csv);
  const objectKey = importKey(importId);
  await backends.storage.put(objectKey, body, { contentType: "text/csv" });
  await backends.producers.enqueueImport({
    importId,
    objectKey,
    fileName,
    byteSize: body.length,
    requestedBy: 1,
  });
  return importId;
}

/** A CSV of `rows` valid products with SKUs `<prefix>-<n>` in category `category`. */
export function bigCsv(rows: number, prefix: string, category: string): Buffer {
  const lines = ["sku,name,description,price_cents,stock,category"];
  for (let i = 1; i <= rows; i++) {
    lines.push(
      `${prefix}-${i},Product ${prefix} ${i},"Made for test, number ${i}",${100 + i},${i % 50},${category}`,
    );
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

export type { ImportProgress };
