import fs from "node:fs";
import path from "node:path";

/** What wrk sends, beyond a plain GET of its URL. */
export interface WrkRequestPlan {
  method?: "GET" | "POST" | "PATCH";
  headers?: Record<string, string>;
  body?: string;
  /**
   * Paths sent in turn, each once before any repeats: unique cache keys for miss scenarios.
   * Costs a Lua call per request, so hot paths leave it unset and wrk sends one prebuilt request.
   */
  paths?: string[];
  /** With `paths`: `%d` in the body is replaced by a counter (a different write each time). */
  bodyTemplate?: string;
}

const lua = (text: string) => JSON.stringify(text); // a JSON string is a valid Lua string here

/** The Lua script: the request plan, and a `done` hook printing the summary as JSON. */
export function doneScript(marker: string, plan: WrkRequestPlan = {}, dir: string): string {
  const lines: string[] = [];
  if (plan.method) lines.push(`wrk.method = ${lua(plan.method)}`);
  for (const [name, value] of Object.entries(plan.headers ?? {})) {
    lines.push(`wrk.headers[${lua(name)}] = ${lua(value)}`);
  }
  if (plan.body !== undefined) lines.push(`wrk.body = ${lua(plan.body)}`);
  if (plan.paths) {
    const file = path.join(dir, "paths.txt");
    fs.writeFileSync(file, `${plan.paths.join("\n")}\n`);
    lines.push(
      "local paths = {}",
      `for line in io.lines(${lua(file)}) do paths[#paths + 1] = line end`,
      "local n = 0",
      "request = function()",
      "  n = n + 1",
      "  local p = paths[((n - 1) % #paths) + 1]",
      plan.bodyTemplate !== undefined
        ? `  return wrk.format(nil, p, nil, string.gsub(${lua(plan.bodyTemplate)}, "%%d", tostring(n)))`
        : "  return wrk.format(nil, p)",
      "end",
    );
  }
  lines.push(
    "done = function(summary, latency, requests)",
    "  local e = summary.errors",
    `  io.write(${lua(marker)} .. string.format(`,
    `    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d}\\n',`,
    "    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),",
    "    latency.max, e.connect, e.read, e.write, e.timeout, e.status))",
    "end",
  );
  return `${lines.join("\n")}\n`;
}
