import { httpRequest, sleep, type HttpAnswer } from "../harness/http-request.ts";
import type { WriteLedger } from "./write-ledger.ts";

export interface PhaseCounts {
  sent: number;
  failed: number;
  reads: number;
  readsFailed: number;
  writeAttempts: number;
  writeAttemptsFailed: number;
  writesAcknowledged: number;
  /** Failures by status or error code, e.g. {"503": 4, "ECONNRESET": 1}. */
  why: Record<string, number>;
}

export interface MixedLoadOptions {
  baseUrl: string;
  token: string;
  categoryId: number;
  /** Ids GET requests choose from (the seeded catalogue). */
  readIds: number;
  /** Products the patch loops own: each is written by one loop only. */
  owned: number[];
  ledger: WriteLedger;
  runId: string;
  /** Reads the truth from PostgreSQL when an answer was lost (stock, version). */
  readRow: (id: number) => Promise<{ stock: number; version: number } | undefined>;
  readers?: number;
  creators?: number;
  patchers?: number;
  /** A pause between one loop's requests: steady load, not a saturation test. */
  pauseMs?: number;
  /** How long one write keeps being retried before it is left unresolved. */
  retryForMs?: number;
}

const emptyCounts = (): PhaseCounts => ({
  sent: 0,
  failed: 0,
  reads: 0,
  readsFailed: 0,
  writeAttempts: 0,
  writeAttemptsFailed: 0,
  writesAcknowledged: 0,
  why: {},
});

/**
 * Steady mixed traffic through nginx: GETs of the catalogue, admin POSTs (each with its own
 * Idempotency-Key, retried with the same key until acknowledged) and admin PATCHes (If-Match
 * on the version last acknowledged, retried likewise; a 412 on a retry means the lost
 * attempt was applied, which the database confirms). Counts go to the current phase.
 */
export class MixedLoad {
  readonly phases = new Map<string, PhaseCounts>();
  phase = "warm-up";
  #stopped = false;
  #loops: Promise<void>[] = [];
  #creates = 0;
  #stockSeq = 1_000;
  readonly #o: Required<MixedLoadOptions>;

  constructor(options: MixedLoadOptions) {
    this.#o = {
      readers: 4,
      creators: 1,
      patchers: 2,
      pauseMs: 10,
      retryForMs: 90_000,
      ...options,
    };
  }

  start(): void {
    const o = this.#o;
    for (let i = 0; i < o.readers; i++) this.#loops.push(this.#readLoop(i));
    for (let i = 0; i < o.creators; i++) this.#loops.push(this.#createLoop());
    const share = Math.ceil(o.owned.length / Math.max(1, o.patchers));
    for (let i = 0; i < o.patchers; i++) {
      const mine = o.owned.slice(i * share, (i + 1) * share);
      if (mine.length) this.#loops.push(this.#patchLoop(mine));
    }
  }

  /** Stops starting new operations and waits for those under way (retries included). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#loops);
  }

  #counts(): PhaseCounts {
    let counts = this.phases.get(this.phase);
    if (!counts) this.phases.set(this.phase, (counts = emptyCounts()));
    return counts;
  }

  #record(answer: HttpAnswer, ok: boolean, write: boolean): void {
    const c = this.#counts();
    c.sent++;
    if (write) c.writeAttempts++;
    else c.reads++;
    if (!ok) {
      c.failed++;
      if (write) c.writeAttemptsFailed++;
      else c.readsFailed++;
      const reason =
        answer.status === undefined ? (answer.error ?? "error") : String(answer.status);
      c.why[reason] = (c.why[reason] ?? 0) + 1;
    }
  }

  async #readLoop(n: number): Promise<void> {
    const o = this.#o;
    let i = n;
    while (!this.#stopped) {
      i++;
      const id = ((i * 7919) % o.readIds) + 1;
      const path =
        i % 3 === 0
          ? `/api/products/${id}`
          : i % 3 === 1
            ? `/api/products?limit=20&sort=${["id", "price", "name"][(i % 9) % 3]}`
            : "/api/categories";
      const answer = await httpRequest(`${o.baseUrl}${path}`, { timeoutMs: 20_000 });
      this.#record(answer, answer.status === 200, false);
      await sleep(o.pauseMs);
    }
  }

  #writeHeaders(extra: Record<string, string> = {}): Record<string, string> {
    return {
      "content-type": "application/json",
      authorization: `Bearer ${this.#o.token}`,
      ...extra,
    };
  }

  async #createLoop(): Promise<void> {
    const o = this.#o;
    while (!this.#stopped) {
      const key = `drill-${o.runId}-${++this.#creates}`;
      o.ledger.createSent(key);
      const body = JSON.stringify({
        name: key,
        priceCents: 1_000 + this.#creates,
        categoryId: o.categoryId,
      });
      const deadline = Date.now() + o.retryForMs;
      while (Date.now() < deadline) {
        const answer = await httpRequest(`${o.baseUrl}/api/products`, {
          method: "POST",
          headers: this.#writeHeaders({ "idempotency-key": key }),
          body,
        });
        const ok = answer.status === 201;
        this.#record(answer, ok, true);
        if (ok) {
          o.ledger.createAcknowledged(key, (JSON.parse(answer.body) as { id: number }).id);
          this.#counts().writesAcknowledged++;
          break;
        }
        // 409: the first attempt is still pending (or crashed: its claim expires); retry.
        await sleep(answer.status === 409 ? 1_000 : 250);
      }
      await sleep(o.pauseMs * 5);
    }
  }

  async #patchLoop(ids: number[]): Promise<void> {
    const o = this.#o;
    let i = 0;
    while (!this.#stopped) {
      const id = ids[i++ % ids.length]!;
      const current = o.ledger.patches.get(id)!;
      const stock = ++this.#stockSeq;
      const deadline = Date.now() + o.retryForMs;
      let first = true;
      let resolved = false;
      while (Date.now() < deadline && !resolved) {
        const answer = await httpRequest(`${o.baseUrl}/api/products/${id}`, {
          method: "PATCH",
          headers: this.#writeHeaders({ "if-match": `"${current.version}"` }),
          body: JSON.stringify({ stock }),
        });
        const ok = answer.status === 200;
        this.#record(answer, ok, true);
        if (ok) {
          const product = JSON.parse(answer.body) as { stock: number; version: number };
          o.ledger.patchApplied(id, product.stock, product.version);
          this.#counts().writesAcknowledged++;
          resolved = true;
        } else if (answer.status === 412) {
          // Only this loop writes this product: after a lost answer, a 412 means the lost
          // attempt was applied. On a first attempt it would be a bug; the check reports it.
          if (first) o.ledger.anomalies.push(`412 on a first PATCH of product ${id}`);
          resolved = await this.#learn(id, stock);
          break;
        } else {
          first = false;
          await sleep(250);
        }
      }
      // Retried for the whole bound without an answer: the database says what happened.
      if (!resolved) await this.#learn(id, stock);
      await sleep(o.pauseMs * 5);
    }
  }

  /** Reads a product's row; if it holds the stock just sent, that write was applied. */
  async #learn(id: number, stock: number): Promise<boolean> {
    const row = await this.#o.readRow(id);
    if (row && row.stock === stock) {
      this.#o.ledger.patchApplied(id, row.stock, row.version);
      this.#o.ledger.resolvedByReading++;
      return true;
    }
    return false;
  }
}
