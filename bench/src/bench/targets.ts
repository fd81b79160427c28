import type { ScenarioResult } from "./scenario.ts";

export interface TargetResult {
  id: string;
  description: string;
  /** The measured value, in the unit the target is stated in. */
  value: number | undefined;
  limit: number;
  comparison: ">=" | "<=" | "<";
  status: "PASS" | "MISS" | "n/a";
  note: string;
}

/** The targets (ratios on this 2-core machine), evaluated on one run's results. */
export function evaluateTargets(
  results: ScenarioResult[],
  maxRssMb: Record<string, number>,
): TargetResult[] {
  const by = (id: string) => results.find((r) => r.id === id);
  const ratioOf = (id: string, ceiling: string) => {
    const a = by(id);
    const b = by(ceiling);
    if (!a || !b || !a.probe.ok || !b.probe.ok || b.rps === 0) return undefined;
    return a.rps / b.rps;
  };
  const why = (...ids: string[]) =>
    ids
      .map((id) => by(id))
      .filter((r) => r && !r.probe.ok)
      .map((r) => `${r!.id}: ${r!.probe.note}`)
      .join("; ");
  const target = (
    id: string,
    description: string,
    value: number | undefined,
    comparison: TargetResult["comparison"],
    limit: number,
    note = "",
  ): TargetResult => {
    const pass =
      value === undefined
        ? undefined
        : comparison === ">="
          ? value >= limit
          : comparison === "<="
            ? value <= limit
            : value < limit;
    return {
      id,
      description,
      value,
      limit,
      comparison,
      status: pass === undefined ? "n/a" : pass ? "PASS" : "MISS",
      note,
    };
  };
  const limiterOn = ratioOf("read-limiter-on", "read-limiter-off");
  const large = by("deep-cursor-large");
  const small = by("deep-cursor-small");
  const deep =
    large?.probe.ok && small?.probe.ok && small.p50Ms > 0 ? large.p50Ms / small.p50Ms : undefined;
  const rss = Object.values(maxRssMb);
  const heaviest = Object.entries(maxRssMb).sort((a, b) => b[1] - a[1])[0];
  return [
    target(
      "edge-hit",
      "edge hit ≥ 0.9 × nginx static",
      ratioOf("edge-hit", "nginx-static"),
      ">=",
      0.9,
      why("edge-hit", "nginx-static"),
    ),
    target(
      "l1-direct",
      "app L1 direct ≥ 0.75 × bare Fastify",
      ratioOf("l1-direct", "bare-fastify"),
      ">=",
      0.75,
      why("l1-direct", "bare-fastify"),
    ),
    target(
      "via-nginx",
      "through nginx ≥ 0.8 × direct",
      ratioOf("l1-via-nginx", "l1-direct"),
      ">=",
      0.8,
      why("l1-via-nginx", "l1-direct") || hopNote(ratioOf("proxy-hop", "bare-fastify")),
    ),
    target(
      "limiter",
      "rate limiter costs ≤ 10 % of a read",
      limiterOn === undefined ? undefined : 1 - limiterOn,
      "<=",
      0.1,
      why("read-limiter-on", "read-limiter-off") ||
        cpuNote(by("read-limiter-on")?.cpuUsPerRequest, by("read-limiter-off")?.cpuUsPerRequest),
    ),
    target(
      "deep-cursor",
      "deep-cursor p50 at the large catalogue ≤ 1.2 × the small one",
      deep,
      "<=",
      1.2,
      why("deep-cursor-large", "deep-cursor-small"),
    ),
    target(
      "rss",
      "API resident memory under load < 150 MB",
      rss.length ? Math.max(...rss) : undefined,
      "<",
      150,
      heaviest ? `largest: ${heaviest[0]}` : "",
    ),
  ];
}

/** What the bare proxy hop reaches on this machine: the most "through nginx" can be. */
function hopNote(hop: number | undefined): string {
  return hop === undefined
    ? ""
    : `a bare nginx hop to bare Fastify reaches ${hop.toFixed(2)} × direct on this machine`;
}

/**
 * The limiter's cost in the instance's own CPU time per request: two processes measured at
 * different moments of a shared machine can differ by a fifth in requests/s, while the CPU
 * each spends on a request hardly moves with the rest of the machine's load.
 */
function cpuNote(on: number | undefined, off: number | undefined): string {
  if (on === undefined || off === undefined || on <= 0) return "";
  return `by CPU per request: ${on.toFixed(1)} against ${off.toFixed(1)} µs, ${((1 - off / on) * 100).toFixed(0)} % of a read's throughput`;
}
