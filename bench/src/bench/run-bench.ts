import os from "node:os";
import { runWrk, type LoadResult } from "../load/wrk.ts";
import type { WrkRequestPlan } from "../load/wrk-script.ts";
import type { BenchContext } from "./bench-context.ts";
import { machineFacts, type MachineFacts } from "./machine-facts.ts";
import { median } from "./median.ts";
import { probe } from "./probe.ts";
import { cpuSeconds } from "./cpu-time.ts";
import { RssSampler } from "./rss-sampler.ts";
import type { Scenario, ScenarioResult } from "./scenario.ts";
import { benchScenarios } from "./scenarios.ts";
import { evaluateTargets, type TargetResult } from "./targets.ts";

export interface BenchSettings {
  durationS: number;
  warmupS: number;
  rounds: number;
  /** Only these scenario ids (ceilings are always kept); all when empty. */
  only: string[];
  log: (line: string) => void;
}

export interface BenchResult {
  kind: "strata-bench";
  version: 1;
  machine: MachineFacts;
  settings: { durationS: number; warmupS: number; rounds: number; products: number };
  scenarios: ScenarioResult[];
  targets: TargetResult[];
  maxRssMb: Record<string, number>;
}

/**
 * Runs every scenario `rounds` times, in forward order on even rounds and backward on odd
 * ones, so a drift of the machine's load (other people's tests) falls on both sides of each
 * ratio; medians are reported with the spread between rounds. The one-instance phase comes
 * last: it scales the stack down, which the others must not see.
 */
export async function runBench(ctx: BenchContext, settings: BenchSettings): Promise<BenchResult> {
  const { log } = settings;
  const machine = machineFacts();
  // Enough distinct keys that no miss scenario repeats one within a round.
  const missPaths = Math.max(2_000, Math.ceil(settings.durationS * 8_000));
  const all = benchScenarios(ctx, missPaths).filter(
    (s) => s.kind === "ceiling" || settings.only.length === 0 || settings.only.includes(s.id),
  );
  const main = all.filter((s) => (s.phase ?? "main") === "main");
  const later = all.filter((s) => s.phase === "one-instance");
  const rounds = new Map<string, LoadResult[]>();
  const probes = new Map<string, ScenarioResult["probe"]>();
  /** Each instance's peak over the whole run, from the per-load samplers below. */
  const maxRssMb: Record<string, number> = {};
  const peaks = new Map<string, ScenarioResult["peakRss"]>();

  const measure = async (scenario: Scenario, round: number) => {
    // Slot 2r for the measured load, 2r + 1 for its warm-up: miss scenarios never share keys.
    const plan: WrkRequestPlan = scenario.plan?.(2 * round) ?? {};
    const seen = await probe(scenario.url, plan, scenario.expect);
    if (!probes.has(scenario.id) || !seen.ok) probes.set(scenario.id, seen);
    if (settings.warmupS > 0) {
      const warm = scenario.plan?.(2 * round + 1) ?? {};
      await runWrk({
        url: scenario.url,
        connections: scenario.connections,
        durationS: settings.warmupS,
        plan: warm,
      });
    }
    // One sampler per load, so each scenario can say which instance it made grow.
    const during = new RssSampler(() => ctx.apiPids());
    during.start();
    const server = scenario.servedBy?.();
    const cpuBefore = server === undefined ? undefined : cpuSeconds(server);
    const result = await runWrk({
      url: scenario.url,
      connections: scenario.connections,
      durationS: settings.durationS,
      plan,
    });
    const cpuAfter = server === undefined ? undefined : cpuSeconds(server);
    if (cpuBefore !== undefined && cpuAfter !== undefined && result.requests > 0) {
      result.cpuUsPerRequest = ((cpuAfter - cpuBefore) * 1e6) / result.requests;
    }
    during.stop();
    during.sample();
    for (const [name, mb] of Object.entries(during.max)) {
      maxRssMb[name] = Math.max(maxRssMb[name] ?? 0, mb);
    }
    const peak = mostGrown(during);
    const before = peaks.get(scenario.id);
    if (peak && (!before || peak.grewMb > before.grewMb)) peaks.set(scenario.id, peak);
    rounds.set(scenario.id, [...(rounds.get(scenario.id) ?? []), result]);
    log(
      `  ${scenario.id.padEnd(20)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50Ms.toFixed(2).padStart(7)} ms  p99 ${result.p99Ms.toFixed(2).padStart(7)} ms  errors ${result.errors}${result.cpuUsPerRequest === undefined ? "" : `  cpu ${result.cpuUsPerRequest.toFixed(1)} µs/req`}${seen.ok ? "" : `  (probe: ${seen.note})`}`,
    );
  };

  for (let round = 0; round < settings.rounds; round++) {
    log(`round ${round + 1}/${settings.rounds} (load average ${os.loadavg()[0]!.toFixed(1)})`);
    const order = round % 2 === 0 ? main : [...main].reverse();
    for (const scenario of order) await measure(scenario, round);
  }
  if (later.length > 0) {
    log("scaling the stack to one instance for the one-versus-several comparison");
    await ctx.harness.stack.scale(1);
    for (let round = 0; round < settings.rounds; round++) {
      for (const scenario of later) await measure(scenario, round);
    }
  }
  machine.loadAverage.end = os.loadavg()[0]!;

  const scenarios: ScenarioResult[] = all.map((s) => {
    const summary = summarise(s, rounds.get(s.id) ?? [], probes.get(s.id));
    const peak = peaks.get(s.id);
    return peak ? { ...summary, peakRss: peak } : summary;
  });
  for (const r of scenarios) {
    const ceiling = scenarios.find((c) => c.id === r.ceiling);
    if (ceiling && ceiling.rps > 0 && r.rps > 0) r.ratio = r.rps / ceiling.rps;
  }
  return {
    kind: "strata-bench",
    version: 1,
    machine,
    settings: {
      durationS: settings.durationS,
      warmupS: settings.warmupS,
      rounds: settings.rounds,
      products: ctx.products,
    },
    scenarios,
    targets: evaluateTargets(scenarios, maxRssMb),
    maxRssMb: Object.fromEntries(
      Object.entries(maxRssMb).map(([k, v]) => [k, Math.round(v * 10) / 10]),
    ),
  };
}

function mostGrown(sampler: RssSampler): ScenarioResult["peakRss"] {
  const grown = Object.entries(sampler.max).map(([instance, mb]) => ({
    instance,
    mb: Math.round(mb * 10) / 10,
    grewMb: Math.round((mb - (sampler.first[instance] ?? mb)) * 10) / 10,
  }));
  return grown.sort((a, b) => b.grewMb - a.grewMb)[0];
}

function summarise(
  scenario: Scenario,
  rounds: LoadResult[],
  seen: ScenarioResult["probe"] | undefined,
): ScenarioResult {
  const rps = rounds.map((r) => r.rps);
  const mid = rounds.length ? median(rps) : 0;
  const cpu = rounds.flatMap((r) => (r.cpuUsPerRequest === undefined ? [] : [r.cpuUsPerRequest]));
  return {
    id: scenario.id,
    title: scenario.title,
    kind: scenario.kind,
    ...(scenario.ceiling ? { ceiling: scenario.ceiling } : {}),
    connections: scenario.connections,
    probe: seen ?? { status: 0, appCache: "", nginxCache: "", ok: false, note: "not run" },
    rounds,
    rps: mid,
    p50Ms: rounds.length ? median(rounds.map((r) => r.p50Ms)) : 0,
    p99Ms: rounds.length ? median(rounds.map((r) => r.p99Ms)) : 0,
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    requests: rounds.reduce((sum, r) => sum + r.requests, 0),
    spread: rounds.length > 1 && mid > 0 ? (Math.max(...rps) - Math.min(...rps)) / mid : 0,
    ...(cpu.length ? { cpuUsPerRequest: median(cpu) } : {}),
  };
}
