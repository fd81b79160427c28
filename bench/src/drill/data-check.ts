import pg from "pg";
import { catalogueChecksum } from "../db/catalogue-checksum.ts";
import type { WriteLedger } from "./write-ledger.ts";

export interface DataCheck {
  ok: boolean;
  problems: string[];
  acknowledgedCreates: number;
  unresolvedCreates: number;
  acknowledgedPatches: number;
  importedRows?: number;
}

/** SQL condition on products p: the rows this drill run made (creates, owned, imported). */
export function drillRows(runId: string): string {
  return `(p.name LIKE 'drill-${runId}-%' OR p.name LIKE 'drill-owned-${runId}-%' OR p.sku LIKE 'drill-${runId}-%')`;
}

/**
 * After the drill: every acknowledged create is in the table exactly once (under its id), an
 * unresolved one at most once, nothing the load never sent exists; each patched product holds
 * the last acknowledged stock and version; imported rows are there once each with the file's
 * values; and every other row is as it was before (checksum).
 */
export async function checkData(options: {
  url: string;
  runId: string;
  ledger: WriteLedger;
  before: Record<string, string>;
  imported?: Map<string, { name: string; priceCents: number }>;
}): Promise<DataCheck> {
  const { ledger, runId } = options;
  const problems = [...ledger.anomalies];
  const client = new pg.Client({ connectionString: options.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; name: string }>(
      "SELECT id, name FROM products WHERE name LIKE $1",
      [`drill-${runId}-%`],
    );
    const byName = new Map<string, number[]>();
    for (const row of rows) byName.set(row.name, [...(byName.get(row.name) ?? []), Number(row.id)]);
    for (const [key, create] of ledger.creates) {
      const found = byName.get(key) ?? [];
      if (create.acknowledged && (found.length !== 1 || found[0] !== create.id)) {
        problems.push(
          `acknowledged create ${key} (id ${create.id}) found ${found.length} time(s): ${found.join(",")}`,
        );
      }
      if (!create.acknowledged && found.length > 1) {
        problems.push(`unresolved create ${key} found ${found.length} times`);
      }
    }
    for (const name of byName.keys()) {
      if (!ledger.creates.has(name)) problems.push(`${name} exists but was never sent`);
    }
    const owned = [...ledger.patches.keys()];
    const current = await client.query<{ id: string; stock: number; version: number }>(
      "SELECT id, stock, version FROM products WHERE id = ANY($1::bigint[])",
      [owned],
    );
    for (const row of current.rows) {
      const expected = ledger.patches.get(Number(row.id))!;
      if (row.stock !== expected.stock || row.version !== expected.version) {
        problems.push(
          `product ${row.id}: stock ${row.stock} version ${row.version}, last acknowledged stock ${expected.stock} version ${expected.version}`,
        );
      }
    }
    if (current.rows.length !== owned.length) problems.push("a patched product disappeared");
    let importedRows: number | undefined;
    if (options.imported) {
      const imported = await client.query<{ sku: string; name: string; price_cents: number }>(
        "SELECT sku, name, price_cents FROM products WHERE sku LIKE $1",
        [`drill-${runId}-%`],
      );
      importedRows = imported.rows.length;
      if (importedRows !== options.imported.size) {
        problems.push(
          `import: ${importedRows} rows in the table, ${options.imported.size} in the file`,
        );
      }
      for (const row of imported.rows) {
        const want = options.imported.get(row.sku);
        if (!want || want.name !== row.name || want.priceCents !== row.price_cents) {
          problems.push(`import: row ${row.sku} differs from the file`);
          break;
        }
      }
    }
    const after = await catalogueChecksum(options.url, drillRows(runId));
    for (const [table, digest] of Object.entries(options.before)) {
      if (after[table] !== digest) problems.push(`${table} changed outside the drill's rows`);
    }
    return {
      ok: problems.length === 0,
      problems,
      acknowledgedCreates: ledger.acknowledgedCreates,
      unresolvedCreates: ledger.unresolvedCreates,
      acknowledgedPatches: ledger.acknowledgedPatches,
      ...(importedRows !== undefined ? { importedRows } : {}),
    };
  } finally {
    await client.end();
  }
}
