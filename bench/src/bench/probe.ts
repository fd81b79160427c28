import type { WrkRequestPlan } from "../load/wrk-script.ts";
import type { Expectation, Probe } from "./scenario.ts";

/**
 * Sends the scenario's first request once and checks it is what the scenario claims to
 * measure (status, which cache tier answered), so a table never shows the speed of a 404 or
 * of a tier other than the one named.
 */
export async function probe(
  url: string,
  plan: WrkRequestPlan,
  expect: Expectation,
): Promise<Probe> {
  const target = plan.paths?.[0] ? new URL(plan.paths[0], url).toString() : url;
  const body = plan.bodyTemplate?.replace("%d", "1") ?? plan.body;
  // A hit scenario's first requests fill the tiers: L1 admits a key on an instance's second
  // read, and through nginx the reads spread over the instances: six sends must reach it.
  const sends = expect.appCache?.includes("MISS") ? 1 : 6;
  let response!: Response;
  try {
    for (let i = 0; i < sends; i++) {
      response = await fetch(target, {
        method: plan.method ?? "GET",
        headers: plan.headers ?? {},
        ...(body !== undefined ? { body } : {}),
      });
      await response.arrayBuffer();
      if (mismatches(response, expect).length === 0) break;
    }
  } catch (error) {
    return { status: 0, appCache: "", nginxCache: "", ok: false, note: (error as Error).message };
  }
  const appCache = response.headers.get("x-app-cache") ?? "";
  const nginxCache = response.headers.get("x-cache-status") ?? "";
  const problems = mismatches(response, expect);
  return {
    status: response.status,
    appCache,
    nginxCache,
    ok: problems.length === 0,
    note: problems.join("; "),
  };
}

/** How a response differs from the status and tiers a scenario names; empty when it matches. */
function mismatches(response: Response, expect: Expectation): string[] {
  const appCache = response.headers.get("x-app-cache") ?? "";
  const nginxCache = response.headers.get("x-cache-status") ?? "";
  const problems: string[] = [];
  if (response.status !== expect.status) {
    problems.push(`status ${response.status}, expected ${expect.status}`);
  }
  if (expect.appCache && !expect.appCache.includes(appCache)) {
    problems.push(`X-App-Cache ${appCache || "(none)"}, expected ${expect.appCache.join("/")}`);
  }
  if (expect.nginxCache && !expect.nginxCache.includes(nginxCache)) {
    problems.push(
      `X-Cache-Status ${nginxCache || "(none)"}, expected ${expect.nginxCache.map((v) => v || "(none)").join("/")}`,
    );
  }
  return problems;
}
