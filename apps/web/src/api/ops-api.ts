import { OpsOverview } from "@strata/contracts";
import { apiFetch } from "./api-client.ts";

/** Admin only: every instance's /ready and /metrics, queues and nginx's tiers, gathered by the API. */
export const getOpsOverview = (signal?: AbortSignal) =>
  apiFetch("/api/ops/overview", OpsOverview, { signal });
