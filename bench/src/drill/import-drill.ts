import { httpRequest, sleep } from "../harness/http-request.ts";

/**
 * The CSV import the worker drill kills a worker in the middle of: rows with SKUs of this
 * run, upserted by SKU, so a retried job must leave each row exactly once.
 */
export class ImportDrill {
  /** Every row of every file uploaded, by SKU: what the table must hold afterwards. */
  readonly rows = new Map<string, { name: string; priceCents: number }>();
  #files = 0;

  constructor(
    readonly baseUrl: string,
    readonly token: string,
    readonly runId: string,
    readonly categorySlug: string,
    readonly rowsPerFile: number,
  ) {}

  /** Uploads one file; the job id, or undefined when the route does not exist here. */
  async upload(): Promise<string | undefined> {
    const n = ++this.#files;
    const lines = ["sku,name,price_cents,category"];
    for (let i = 0; i < this.rowsPerFile; i++) {
      const sku = `drill-${this.runId}-${n}-${i}`;
      const row = { name: `imported ${sku}`, priceCents: 500 + i };
      this.rows.set(sku, row);
      lines.push(`${sku},${row.name},${row.priceCents},${this.categorySlug}`);
    }
    const csv = new Blob([`${lines.join("\n")}\n`], { type: "text/csv" });
    // A client retries an upload nginx could not place (502/503: no instance answered).
    let response!: Response;
    for (let attempt = 0; attempt < 20; attempt++) {
      const form = new FormData();
      form.append("file", csv, `drill-${n}.csv`);
      response = await fetch(`${this.baseUrl}/api/imports`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.token}` },
        body: form,
      });
      if (response.status !== 502 && response.status !== 503) break;
      await response.arrayBuffer();
      await sleep(500);
    }
    if (response.status === 404) return undefined;
    if (response.status !== 202) {
      throw new Error(`import upload: ${response.status} ${await response.text()}`);
    }
    return ((await response.json()) as { id: string }).id;
  }

  async status(id: string): Promise<{ state: string; progress: unknown } | undefined> {
    const answer = await httpRequest(`${this.baseUrl}/api/imports/${id}`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    return answer.status === 200
      ? (JSON.parse(answer.body) as { state: string; progress: unknown })
      : undefined;
  }

  /** Waits until the job is active with a first batch committed (or it already finished). */
  async waitUntilRunning(id: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const s = await this.status(id);
      if (s && ((s.state === "active" && s.progress !== null) || s.state === "completed")) return;
      await sleep(50);
    }
    throw new Error(`import ${id} did not start within ${timeoutMs} ms`);
  }

  async waitUntilDone(id: string, timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const s = await this.status(id);
      if (s && (s.state === "completed" || s.state === "failed")) return s.state;
      await sleep(250);
    }
    return "still running after the bound";
  }
}
