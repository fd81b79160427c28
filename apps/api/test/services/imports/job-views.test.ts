import type { Job, Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import { QueueNameParam } from "@strata/contracts";
import { QueueName } from "@strata/queue";
import { loadImportStatus } from "../../../src/services/imports/job-views.ts";

describe("the queues /api/jobs accepts", () => {
  it("are every queue the worker consumes", () => {
    expect([...QueueNameParam.options].sort()).toEqual(Object.values(QueueName).sort());
  });
});

const report = {
  rowsRead: 3,
  inserted: 2,
  updated: 0,
  unchanged: 0,
  rejected: 1,
  bytesRead: 109,
  byteSize: 109,
  errors: [{ line: 3, sku: "X-2", reasons: ['category: no category "nope"'] }],
};

/**
 * A queue whose import finishes between two Redis reads, as a 3-row import did for a new
 * user: the first read (whichever it is) sees the job active, every later one sees it
 * completed with its report.
 */
function finishingQueue(): Pick<Queue, "getJob" | "getJobState"> {
  let reads = 0;
  const finished = () => reads++ > 0;
  const jobNow = () => {
    const done = finished();
    return {
      id: "42",
      data: { fileName: "p.csv", byteSize: 109 },
      opts: { attempts: 3 },
      timestamp: 1_000,
      attemptsMade: done ? 1 : 0,
      finishedOn: done ? 2_000 : undefined,
      returnvalue: done ? report : null,
      progress: 0,
      failedReason: undefined,
      getState: async () => (finished() ? "completed" : "active"),
    } as unknown as Job;
  };
  return {
    getJob: async () => jobNow(),
    getJobState: async () => (finished() ? "completed" : "active"),
  };
}

describe("loadImportStatus", () => {
  it("never answers completed without the report, whenever the job finishes", async () => {
    const status = await loadImportStatus(finishingQueue(), "42");
    // Job-then-state answered { state: "completed", progress: null, finishedAt: null } here;
    // state-then-job says active, and the next read says completed with everything.
    if (status?.state === "completed") {
      expect(status.progress).toEqual(report);
      expect(status.finishedAt).not.toBeNull();
    } else {
      expect(status?.state).toBe("active");
    }
  });

  it("answers undefined for an unknown job", async () => {
    const queue = {
      getJob: async () => undefined,
      getJobState: async () => "unknown" as const,
    };
    expect(await loadImportStatus(queue, "nope")).toBeUndefined();
  });
});
