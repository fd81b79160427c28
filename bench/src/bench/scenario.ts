import type { LoadResult } from "../load/wrk.ts";
import type { WrkRequestPlan } from "../load/wrk-script.ts";

/** What one probe request must show for a scenario to measure what its name says. */
export interface Expectation {
  status: number;
  /** Accepted X-App-Cache values (the API's tier); unset: not checked. */
  appCache?: string[];
  /** Accepted X-Cache-Status values (nginx); "" stands for "no header". */
  nginxCache?: string[];
}

export interface Scenario {
  id: string;
  title: string;
  kind: "ceiling" | "scenario";
  url: string;
  connections: number;
  /** Builds the request plan for one load (fresh paths per slot, so misses stay misses). */
  plan?: (slot: number) => WrkRequestPlan;
  /** The ceiling this scenario's throughput is divided by. */
  ceiling?: string;
  expect: Expectation;
  /** Scenarios measured only in some phases (e.g. after scaling down to one instance). */
  phase?: "main" | "one-instance";
  /**
   * The one process that serves this scenario (direct ones): its CPU time per request is
   * reported beside the throughput, as a measure the machine's other load barely moves.
   */
  servedBy?: () => number;
}

export interface Probe {
  status: number;
  appCache: string;
  nginxCache: string;
  ok: boolean;
  note: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  kind: Scenario["kind"];
  ceiling?: string;
  connections: number;
  probe: Probe;
  rounds: LoadResult[];
  /** Medians over the rounds. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  requests: number;
  /** (max - min) / median of the rounds' requests/s: how steady the machine was. */
  spread: number;
  /** rps / ceiling rps, when there is a ceiling. */
  ratio?: number;
  /** Median over the rounds of the serving process's CPU microseconds per request. */
  cpuUsPerRequest?: number;
  /** The API instance whose resident memory grew most during this scenario, and its peak. */
  peakRss?: { instance: string; mb: number; grewMb: number };
}
