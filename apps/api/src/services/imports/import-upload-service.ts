import crypto from "node:crypto";
import type { Readable } from "node:stream";
import type { Redis } from "ioredis";
import type { ImportAccepted } from "@strata/contracts";
import type { Producers } from "@strata/queue";
import { importKey, storeMetered, type Storage } from "@strata/storage";
import { problems } from "../../http/problem.ts";
import { assertTextFile, TEXT_HEAD_BYTES } from "../../uploads/text-file.ts";

const ENQUEUE_TIMEOUT_MS = 2_000;

/** A display name only: the directories and control characters of a client's file name go. */
export function displayFileName(name: string | undefined): string {
  const base = (name ?? "").split(/[/\\]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return (clean || "import.csv").slice(0, 255);
}

/** An import's file in storage, before its job exists. */
export interface StoredImport {
  importId: string;
  key: string;
  byteSize: number;
}

/**
 * CSV imports, accepting side: the file is streamed to storage under the import's id, then
 * its job is enqueued, and the caller answers 202 at once; the worker does the rest. No row of
 * the file is read here.
 */
export class ImportUploadService {
  constructor(
    private readonly deps: {
      storage: Storage;
      queues: Producers;
      stateRedis: Redis;
      limitBytes: number;
    },
  ) {}

  /** Streams the file to storage under a new import's id; no job refers to it yet. */
  async store(file: Readable): Promise<StoredImport> {
    const { storage, stateRedis, limitBytes } = this.deps;
    // Checked first: a file stored for a job that cannot be enqueued is wasted work.
    if (stateRedis.status !== "ready") {
      file.resume();
      throw problems.unavailable("the job queue is unavailable; retry shortly", 5);
    }
    const importId = crypto.randomUUID();
    const stored = await storeMetered(storage, importKey(importId), file, {
      limitBytes,
      headBytes: TEXT_HEAD_BYTES,
      tailBytes: 0,
      inspectHead: assertTextFile,
      contentTypeOf: () => "text/csv; charset=utf-8",
    });
    return { importId, key: stored.key, byteSize: stored.byteSize };
  }

  /** A stored file whose request was then refused: nothing else will ever read it. */
  async discard(stored: StoredImport): Promise<void> {
    await this.deps.storage.delete(stored.key).catch(() => {});
  }

  /** Enqueues the stored file's import job; the caller answers 202 at once. */
  async accept(
    stored: StoredImport,
    fileName: string,
    requestedBy: number,
  ): Promise<ImportAccepted> {
    const { storage, queues } = this.deps;
    const { importId } = stored;
    const enqueue = queues.enqueueImport({
      importId,
      objectKey: stored.key,
      fileName,
      byteSize: stored.byteSize,
      requestedBy,
    });
    enqueue.catch(() => {});
    try {
      const result = await Promise.race([
        enqueue,
        new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ENQUEUE_TIMEOUT_MS).unref()),
      ]);
      if (result === "timeout") throw new Error("enqueue timed out");
    } catch {
      // Nothing will ever read the file; a late enqueue finds it gone and fails visibly.
      await storage.delete(stored.key).catch(() => {});
      throw problems.unavailable("the job queue is unavailable; retry shortly", 5);
    }
    return {
      id: importId,
      state: "waiting",
      links: { self: `/api/imports/${importId}`, events: `/api/imports/${importId}/events` },
    };
  }
}
