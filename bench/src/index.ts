export {
  startHarnessStack,
  type HarnessStack,
  type OwnedServers,
} from "./harness/harness-stack.ts";
export { spawnApiInstance, spawnNodeServer, type SpawnedProcess } from "./harness/api-instance.ts";
export { runWrk, ensureWrk, type LoadResult } from "./load/wrk.ts";
export { startBenchContext, type BenchContext } from "./bench/bench-context.ts";
export { runBench, type BenchResult } from "./bench/run-bench.ts";
export { compareResults } from "./report/compare-results.ts";
