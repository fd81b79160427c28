import { z } from "zod";

const count = z.number().nonnegative();

/** One API instance as the operations view sees it (from its /ready and /metrics). */
export const OpsInstance = z
  .object({
    id: z.string().describe("the instance id (its X-Instance), or its URL when it did not answer"),
    url: z.string(),
    up: z.boolean().describe("answered at all"),
    ready: z.boolean().describe("/ready said 200"),
    phase: z.enum(["starting", "serving", "draining", "unreachable", "unknown"]),
    error: z.string().optional(),
    requests: count.describe("API requests answered since the instance started (probes excluded)"),
    rateLimited: count.describe("requests refused by a rate limit since start"),
    pool: z.object({ total: count, idle: count, waiting: count, max: count }).nullable(),
    appCache: z
      .object({ l1Hits: count, l2Hits: count, stale: count, misses: count })
      .nullable()
      .describe("application cache lookups since start"),
  })
  .meta({ id: "OpsInstance" });

export const OpsQueue = z
  .object({
    name: z.string(),
    waiting: count,
    active: count,
    delayed: count,
    failed: count,
    completed: count,
  })
  .meta({ id: "OpsQueue" });

export const OpsJob = z
  .object({
    id: z.string(),
    queue: z.string(),
    name: z.string(),
    /** 0..100 when the job reports progress. */
    percent: z.number().min(0).max(100).nullable(),
  })
  .meta({ id: "OpsJob" });

/** nginx's view over the last `windowSeconds`, from its JSON access log. */
export const OpsNginx = z
  .object({
    windowSeconds: z.number().int().positive(),
    requests: count.describe(
      "/api requests answered by nginx in the window (event streams excluded)",
    ),
    byCacheStatus: z
      .record(z.string(), count)
      .describe("by $upstream_cache_status; '-' when not cacheable"),
    notModified: count.describe("answered 304: the browser's own copy was still good"),
    byUpstream: z.record(z.string(), count).describe("by upstream address that answered"),
  })
  .meta({ id: "OpsNginx" });

/** GET /api/ops/overview (admin): everything the operations view shows, gathered at once. */
export const OpsOverview = z
  .object({
    collectedAt: z.iso.datetime(),
    instances: z.array(OpsInstance),
    queues: z.array(OpsQueue),
    jobs: z.array(OpsJob).describe("jobs running now"),
    nginx: OpsNginx.nullable().describe("null when nginx's access log is not readable here"),
    problems: z.array(z.string()).describe("what could not be gathered, in words"),
  })
  .meta({ id: "OpsOverview" });

export type OpsInstance = z.infer<typeof OpsInstance>;
export type OpsQueue = z.infer<typeof OpsQueue>;
export type OpsJob = z.infer<typeof OpsJob>;
export type OpsNginx = z.infer<typeof OpsNginx>;
export type OpsOverview = z.infer<typeof OpsOverview>;
