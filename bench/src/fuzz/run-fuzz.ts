import fs from "node:fs";
import { upstreamFailures } from "@strata/stack";
import { catalogueChecksum } from "../db/catalogue-checksum.ts";
import { adminSession } from "../harness/admin-client.ts";
import type { HarnessStack } from "../harness/harness-stack.ts";
import { casesFor, globalCases, type FuzzCase } from "./fuzz-cases.ts";
import { routesOf } from "./openapi-routes.ts";
import { rawRequest, sendRaw } from "./raw-request.ts";

export interface FuzzReport {
  kind: "strata-fuzz";
  date: string;
  routes: number;
  requests: number;
  byStatus: Record<string, number>;
  /** Every 5xx but 501, and every request nothing answered, with what was sent. */
  failures: { route: string; what: string; via: string; status: string }[];
  /** Processes not running (or not answering /health) afterwards. */
  crashed: string[];
  /**
   * nginx's error-log lines about an instance during the sweep (a connection it closed or
   * reset, an instance taken out of rotation): a request nginx forwards must never make an
   * instance look failed, or every client gets 502 once two have.
   */
  upstreamErrors: string[];
  databaseUnchanged: boolean;
  ok: boolean;
}

/**
 * The bad-input sweep: every route of the OpenAPI document, each case sent through nginx and
 * straight to an instance (nginx normalises some things the API must also survive alone),
 * anonymous and as the admin where the route needs a session. `limit` keeps an even sample.
 */
export async function runFuzz(
  harness: HarnessStack,
  options: { limit?: number; concurrency?: number; log?: (line: string) => void },
): Promise<FuzzReport> {
  const log = options.log ?? (() => {});
  const nginx = new URL(harness.stack.url);
  const instances = harness.stack.status().instances;
  const direct = new URL(`http://${instances[0]!.address}`);
  const doc = (await (await fetch(`${harness.stack.url}/api/docs/json`)).json()) as Parameters<
    typeof routesOf
  >[0];
  const routes = routesOf(doc);
  let cases: FuzzCase[] = [...routes.flatMap(casesFor), ...globalCases(routes)];
  if (options.limit && cases.length > options.limit) {
    const step = cases.length / options.limit;
    cases = Array.from({ length: options.limit }, (_, i) => cases[Math.floor(i * step)]!);
  }
  const { token } = await adminSession(harness.stack.url, harness.admin);
  const before = await catalogueChecksum(harness.servers.postgres.url);
  const errorLogStart = fileSize(harness.stack.errorLog);
  log(`${routes.length} routes, ${cases.length} cases × 2 (nginx and direct)`);
  const byStatus: Record<string, number> = {};
  const failures: FuzzReport["failures"] = [];
  const jobs = cases.flatMap((c) => [
    { c, via: "nginx", port: Number(nginx.port) },
    { c, via: "direct", port: Number(direct.port) },
  ]);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { c, via, port } = jobs[next++]!;
      const headers = { ...c.headers, ...(c.asAdmin ? { authorization: `Bearer ${token}` } : {}) };
      // A case that sets its own authorization keeps it (garbage tokens are the point).
      if (c.headers.authorization) headers.authorization = c.headers.authorization;
      const answer = await sendRaw(
        port,
        rawRequest({
          method: c.method,
          target: c.target,
          headers,
          ...(c.body ? { body: c.body } : {}),
        }),
      );
      const key =
        answer.status === undefined ? `no answer (${answer.error})` : String(answer.status);
      byStatus[key] = (byStatus[key] ?? 0) + 1;
      // Every request gets an answer, even one Node cannot parse (client-error.ts): a
      // connection closed in silence or a hang is a failure, and so is a 5xx but 501 (what
      // HTTP prescribes for a method the server does not know, `FOO`).
      const serverError =
        answer.status !== undefined && answer.status >= 500 && answer.status !== 501;
      if (serverError || answer.status === undefined) {
        failures.push({
          route: c.route,
          what: `${c.asAdmin ? "admin " : ""}${c.what}`,
          via,
          status: key,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  const crashed: string[] = [];
  for (const instance of harness.stack.status().instances) {
    const alive = await fetch(`http://${instance.address}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (!instance.running || !alive) crashed.push(instance.id);
  }
  const upstreamErrors = upstreamFailures(readFrom(harness.stack.errorLog, errorLogStart));
  const after = await catalogueChecksum(harness.servers.postgres.url);
  const databaseUnchanged = JSON.stringify(before) === JSON.stringify(after);
  return {
    kind: "strata-fuzz",
    date: new Date().toISOString(),
    routes: routes.length,
    requests: jobs.length,
    byStatus,
    failures,
    crashed,
    upstreamErrors,
    databaseUnchanged,
    ok:
      failures.length === 0 &&
      crashed.length === 0 &&
      upstreamErrors.length === 0 &&
      databaseUnchanged,
  };
}

function fileSize(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

function readFrom(file: string, offset: number): string {
  if (!fs.existsSync(file)) return "";
  const fd = fs.openSync(file, "r");
  try {
    const length = Math.max(0, fs.fstatSync(fd).size - offset);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, offset);
    return buffer.toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/** A short text summary of a sweep. */
export function fuzzSummary(report: FuzzReport): string {
  const statuses = Object.entries(report.byStatus)
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s}×${n}`)
    .join(" ");
  return [
    `${report.requests} malformed requests over ${report.routes} routes: ${statuses}`,
    `5xx or unanswered: ${report.failures.length}; crashed processes: ${report.crashed.length ? report.crashed.join(", ") : "none"}; nginx upstream errors: ${report.upstreamErrors.length}; database ${report.databaseUnchanged ? "unchanged" : "CHANGED"}`,
    ...report.upstreamErrors.slice(0, 10).map((line) => `  nginx: ${line}`),
    ...report.failures
      .slice(0, 30)
      .map((f) => `  ${f.status} via ${f.via}: ${f.route} — ${f.what}`),
    report.ok ? "PASS" : "FAIL",
  ].join("\n");
}
