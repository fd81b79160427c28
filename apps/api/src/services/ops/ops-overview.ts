import type { OpsOverview } from "@strata/contracts";
import type { Producers } from "@strata/queue";
import { probeInstance } from "./instance-probe.ts";
import { nginxAccessSummary } from "./nginx-access-summary.ts";
import { queueSummary } from "./queue-summary.ts";

export interface OpsSources {
  /** Base URLs of every API instance (OPS_INSTANCE_URLS), or this instance's own. */
  instanceUrls: string[];
  nginxAccessLog?: string;
  producers: Producers;
  /** Each probe's bound: one slow instance must not stall the whole view. */
  timeoutMs: number;
  nginxWindowSeconds: number;
}

/** Gathers everything the operations view shows, in parallel; each part fails on its own. */
export async function opsOverview(sources: OpsSources): Promise<OpsOverview> {
  const problems: string[] = [];
  const [instances, queues, nginx] = await Promise.all([
    Promise.all(sources.instanceUrls.map((url) => probeInstance(url, sources.timeoutMs))),
    queueSummary(sources.producers).catch((error: Error) => {
      problems.push(`queues could not be read: ${error.message}`);
      return { queues: [], jobs: [] };
    }),
    sources.nginxAccessLog
      ? nginxAccessSummary(sources.nginxAccessLog, sources.nginxWindowSeconds).catch(
          (error: Error) => {
            problems.push(`nginx's access log could not be read: ${error.message}`);
            return null;
          },
        )
      : Promise.resolve(null),
  ]);
  for (const i of instances)
    if (!i.up) problems.push(`${i.url} does not answer: ${i.error ?? "no reply"}`);
  return {
    collectedAt: new Date().toISOString(),
    instances,
    queues: queues.queues,
    jobs: queues.jobs,
    nginx,
    problems,
  };
}
