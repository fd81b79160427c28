import type { OpsOverview } from "@strata/contracts";

/** One poll of /api/ops/overview and when it arrived (client clock: deltas only). */
export interface OpsSample {
  at: number;
  overview: OpsOverview;
}

/** Samples kept: at one poll every 2 s, the last five minutes. */
export const HISTORY_LENGTH = 150;

export const NGINX_HITS = ["HIT", "STALE", "UPDATING", "REVALIDATED"];
export const NGINX_MISSES = ["MISS", "EXPIRED", "BYPASS"];

export interface InstanceRate {
  id: string;
  perSecond: number | null;
  share: number | null;
}

/**
 * Requests per second and share of the traffic per instance between the last two samples.
 * Counters restart with their instance: a negative delta counts as zero.
 */
export function instanceRates(samples: readonly OpsSample[]): InstanceRate[] {
  const last = samples.at(-1);
  const prev = samples.at(-2);
  if (!last) return [];
  const seconds = prev ? (last.at - prev.at) / 1000 : 0;
  const deltas = last.overview.instances.map((i) => {
    const before = prev?.overview.instances.find((p) => p.id === i.id);
    return before && seconds > 0 ? Math.max(0, i.requests - before.requests) : null;
  });
  const total = deltas.reduce<number>((sum, d) => sum + (d ?? 0), 0);
  return last.overview.instances.map((i, n) => {
    const d = deltas[n] ?? null;
    return {
      id: i.id,
      perSecond: d === null ? null : d / seconds,
      share: d === null || total === 0 ? null : d / total,
    };
  });
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function appTotals(o: OpsOverview) {
  const caches = o.instances.map((i) => i.appCache).filter((c) => c !== null);
  return {
    l1: sum(caches.map((c) => c.l1Hits)),
    l2: sum(caches.map((c) => c.l2Hits + c.stale)),
    all: sum(caches.map((c) => c.l1Hits + c.l2Hits + c.stale + c.misses)),
  };
}

export interface TierRatios {
  /** 304 answers among nginx's /api answers: the browser's own copy was reused. */
  browser: number | null;
  nginx: number | null;
  appL1: number | null;
  /** L1 or L2 (Redis): everything the app cache answered without PostgreSQL. */
  app: number | null;
}

/** Hit ratio of each tier at sample `i` (app cache: between samples i-1 and i). */
export function tierRatios(samples: readonly OpsSample[], i: number): TierRatios {
  const s = samples[i]!;
  const nginx = s.overview.nginx;
  const count = (names: string[]) => sum(names.map((n) => nginx?.byCacheStatus[n] ?? 0));
  const hits = count(NGINX_HITS);
  const cacheable = hits + count(NGINX_MISSES);
  let appL1: number | null = null;
  let app: number | null = null;
  const prev = samples[i - 1];
  if (prev) {
    const a = appTotals(s.overview);
    const b = appTotals(prev.overview);
    const all = a.all - b.all;
    if (all > 0) {
      appL1 = Math.max(0, a.l1 - b.l1) / all;
      app = Math.min(1, Math.max(0, a.l1 - b.l1 + a.l2 - b.l2) / all);
    }
  }
  return {
    browser: nginx && nginx.requests > 0 ? nginx.notModified / nginx.requests : null,
    nginx: cacheable > 0 ? hits / cacheable : null,
    appL1,
    app,
  };
}

/** Appends a sample, dropping the oldest beyond HISTORY_LENGTH. */
export function appendSample(samples: readonly OpsSample[], sample: OpsSample): OpsSample[] {
  const last = samples.at(-1);
  if (last && last.overview.collectedAt === sample.overview.collectedAt) return [...samples];
  return [...samples, sample].slice(-HISTORY_LENGTH);
}
