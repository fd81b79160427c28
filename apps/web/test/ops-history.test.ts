import { describe, expect, it } from "vitest";
import type { OpsInstance, OpsOverview } from "@strata/contracts";
import {
  appendSample,
  instanceRates,
  tierRatios,
  type OpsSample,
} from "../src/pages/admin/ops-history.ts";

const instance = (id: string, requests: number, l1 = 0, misses = 0): OpsInstance => ({
  id,
  url: `http://${id}`,
  up: true,
  ready: true,
  phase: "serving",
  requests,
  rateLimited: 0,
  pool: null,
  appCache: { l1Hits: l1, l2Hits: 0, stale: 0, misses },
});

const sample = (at: number, instances: OpsInstance[], nginx?: OpsOverview["nginx"]): OpsSample => ({
  at,
  overview: {
    collectedAt: new Date(at).toISOString(),
    instances,
    queues: [],
    jobs: [],
    nginx: nginx ?? null,
    problems: [],
  },
});

describe("operations history", () => {
  it("turns request counters into rates and shares between two samples", () => {
    const samples = [
      sample(0, [instance("a", 100), instance("b", 50)]),
      sample(2000, [instance("a", 130), instance("b", 60)]),
    ];
    expect(instanceRates(samples)).toEqual([
      { id: "a", perSecond: 15, share: 0.75 },
      { id: "b", perSecond: 5, share: 0.25 },
    ]);
  });

  it("treats a restarted instance's counter reset as zero, not negative", () => {
    const samples = [sample(0, [instance("a", 100)]), sample(1000, [instance("a", 3)])];
    expect(instanceRates(samples)[0]!.perSecond).toBe(0);
  });

  it("computes each tier's hit ratio", () => {
    const nginx = {
      windowSeconds: 60,
      requests: 10,
      byCacheStatus: { HIT: 6, MISS: 2, "-": 2 },
      notModified: 4,
      byUpstream: {},
    };
    const samples = [
      sample(0, [instance("a", 0, 10, 10)]),
      sample(1000, [instance("a", 0, 40, 20)], nginx),
    ];
    expect(tierRatios(samples, 1)).toEqual({ browser: 0.4, nginx: 0.75, appL1: 0.75, app: 0.75 });
    expect(tierRatios(samples, 0).app).toBeNull();
  });

  it("keeps one sample per collection and a bounded history", () => {
    let history: OpsSample[] = [];
    const one = sample(0, []);
    history = appendSample(history, one);
    history = appendSample(history, one);
    expect(history).toHaveLength(1);
    for (let i = 1; i < 400; i++) history = appendSample(history, sample(i * 1000, []));
    expect(history.length).toBeLessThanOrEqual(150);
  });
});
