import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { catalogueChecksum } from "../db/catalogue-checksum.ts";
import { adminSession } from "../harness/admin-client.ts";
import { startHarnessStack, type HarnessStack } from "../harness/harness-stack.ts";
import { httpRequest, sleep } from "../harness/http-request.ts";
import { checkData, drillRows, type DataCheck } from "./data-check.ts";
import { failures, startDrillWorker, type DrillContext } from "./failures.ts";
import { ImportDrill } from "./import-drill.ts";
import { MixedLoad, type PhaseCounts } from "./mixed-load.ts";
import { WriteLedger } from "./write-ledger.ts";

export interface DrillOptions {
  products: number;
  outageMs: number;
  /** Load keeps running this long after each failure, counted in its phase. */
  settleMs: number;
  /** Failure ids to run; all when empty. */
  only: string[];
  importRows: number;
  /** Extra variables for the stack (e.g. a shorter REQUEST_TIMEOUT_MS in the smoke run). */
  stackEnv?: Record<string, string>;
  /** A stack already running (the smoke run shares one); otherwise the drill starts its own. */
  harness?: HarnessStack;
  log: (line: string) => void;
}

export interface DrillReport {
  kind: "strata-drill";
  date: string;
  phases: { id: string; title: string; seconds: number; note: string; counts: PhaseCounts }[];
  data: DataCheck;
  /** Processes that were not running at the end (should be none). */
  notRunning: string[];
  ok: boolean;
}

/**
 * The failure drill: a stack on private servers, steady mixed load through nginx, each
 * failure in turn, then the data check against the ledger of acknowledged writes.
 */
export async function runDrill(options: DrillOptions): Promise<DrillReport> {
  const { log } = options;
  const own = options.harness === undefined;
  const harness =
    options.harness ??
    (await startHarnessStack({
      instances: 3,
      products: options.products,
      // The drill's worker is its own (see failures.ts); the stack starts none.
      workers: 0,
      // The drill's admin writes many times a minute; the limiter's own tests cover limits.
      env: { RATE_LIMIT_ENABLED: "false", ...options.stackEnv },
      log,
    }));
  const logDir = path.join(harness.dir, "logs");
  fs.mkdirSync(logDir, { recursive: true });
  let workers = 0;
  const startWorker = () => startDrillWorker(harness, logDir, ++workers);
  const ctx: DrillContext = {
    harness,
    worker: await startWorker(),
    startWorker,
    imports: undefined as unknown as ImportDrill,
    outageMs: options.outageMs,
    log,
  };
  try {
    const base = harness.stack.url;
    const { token } = await adminSession(base, harness.admin);
    const categories = JSON.parse((await httpRequest(`${base}/api/categories`)).body) as {
      items: { id: number; slug: string }[];
    };
    const category = categories.items[0]!;
    const runId = crypto.randomBytes(4).toString("hex");
    ctx.imports = new ImportDrill(base, token, runId, category.slug, options.importRows);
    const ledger = new WriteLedger();
    const owned: number[] = [];
    for (let i = 0; i < 10; i++) {
      const answer = await httpRequest(`${base}/api/products`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({
          name: `drill-owned-${runId}-${i}`,
          priceCents: 100,
          categoryId: category.id,
        }),
      });
      const product = JSON.parse(answer.body) as { id: number; stock: number; version: number };
      ledger.own(product.id, product.stock, product.version);
      owned.push(product.id);
    }
    const dbUrl = () => harness.servers.postgres.url;
    const before = await catalogueChecksum(dbUrl(), drillRows(runId));
    const load = new MixedLoad({
      baseUrl: base,
      token,
      categoryId: category.id,
      readIds: options.products,
      owned,
      ledger,
      runId,
      readRow: async (id) => {
        const client = new pg.Client({ connectionString: dbUrl() });
        try {
          await client.connect();
          const { rows } = await client.query<{ stock: number; version: number }>(
            "SELECT stock, version FROM products WHERE id = $1",
            [id],
          );
          return rows[0];
        } catch {
          return undefined;
        } finally {
          await client.end().catch(() => {});
        }
      },
    });
    const phases: DrillReport["phases"] = [];
    const phase = async (id: string, title: string, action: () => Promise<string | void>) => {
      load.phase = id;
      const started = Date.now();
      log(`${id}: ${title}`);
      const note = await action().then(
        (result) => result ?? "",
        (error: Error) => `failed: ${error.message.split("\n")[0]}`,
      );
      await sleep(options.settleMs);
      phases.push({
        id,
        title,
        seconds: (Date.now() - started) / 1000,
        note,
        counts: load.phases.get(id)!,
      });
    };
    load.start();
    await phase("steady", "steady load, no failure", async () => {});
    for (const failure of failures) {
      if (options.only.length && !options.only.includes(failure.id)) continue;
      await phase(failure.id, failure.title, () => failure.run(ctx));
    }
    load.phase = "draining";
    log("stopping the load; writes still being retried finish first");
    await load.stop();
    const data = await checkData({
      url: dbUrl(),
      runId,
      ledger,
      before,
      ...(ctx.imports.rows.size ? { imported: ctx.imports.rows } : {}),
    });
    const status = harness.stack.status();
    const notRunning = [
      ...status.instances.filter((i) => !i.running).map((i) => i.id),
      ...(ctx.worker.process.child.exitCode !== null ? [ctx.worker.name] : []),
    ];
    return {
      kind: "strata-drill",
      date: new Date().toISOString(),
      phases,
      data,
      notRunning,
      ok: data.ok && notRunning.length === 0 && phases.every((p) => !p.note.startsWith("failed")),
    };
  } finally {
    await ctx.worker.stop();
    if (own) await harness.stop();
  }
}

/** The report as a Markdown table, for the terminal and the saved file. */
export function drillTable(report: DrillReport): string {
  const lines = [
    "| failure | s | requests | failed | reads failed | write attempts failed | writes acknowledged | failures by cause | note |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
  ];
  for (const p of report.phases) {
    const c = p.counts;
    const why = Object.entries(c?.why ?? {})
      .map(([k, v]) => `${k}×${v}`)
      .join(" ");
    lines.push(
      `| ${p.title} | ${p.seconds.toFixed(0)} | ${c?.sent ?? 0} | ${c?.failed ?? 0} | ${c?.readsFailed ?? 0} | ${c?.writeAttemptsFailed ?? 0} | ${c?.writesAcknowledged ?? 0} | ${why} | ${p.note} |`,
    );
  }
  const d = report.data;
  lines.push(
    "",
    `Data check: ${d.ok ? "PASS" : "FAIL"} — ${d.acknowledgedCreates} acknowledged creates each present once, ${d.unresolvedCreates} unresolved, ${d.acknowledgedPatches} acknowledged patches hold their last values${d.importedRows !== undefined ? `, ${d.importedRows} imported rows each once` : ""}, every other row unchanged (checksum).`,
    ...d.problems.map((p) => `- ${p}`),
    report.notRunning.length
      ? `Not running at the end: ${report.notRunning.join(", ")}`
      : "Every process running at the end.",
    "",
  );
  return lines.join("\n");
}
