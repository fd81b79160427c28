/**
 * Every write the drill's load made, as the client knows it: a create is acknowledged (201,
 * its id known) or unresolved (no answer after every retry: it may exist once, never twice);
 * a patched product's last acknowledged stock and version.
 */
export class WriteLedger {
  readonly creates = new Map<string, { id?: number; acknowledged: boolean }>();
  readonly patches = new Map<number, { stock: number; version: number; acknowledged: number }>();
  /** Writes whose outcome the drill had to read back from the database to learn. */
  resolvedByReading = 0;
  /** Answers that should never happen (reported by the data check). */
  readonly anomalies: string[] = [];

  createSent(key: string): void {
    if (!this.creates.has(key)) this.creates.set(key, { acknowledged: false });
  }

  createAcknowledged(key: string, id: number): void {
    this.creates.set(key, { id, acknowledged: true });
  }

  own(id: number, stock: number, version: number): void {
    this.patches.set(id, { stock, version, acknowledged: 0 });
  }

  patchApplied(id: number, stock: number, version: number): void {
    const entry = this.patches.get(id);
    if (!entry) throw new Error(`product ${id} is not the drill's`);
    this.patches.set(id, { stock, version, acknowledged: entry.acknowledged + 1 });
  }

  get acknowledgedCreates(): number {
    return [...this.creates.values()].filter((c) => c.acknowledged).length;
  }

  get unresolvedCreates(): number {
    return this.creates.size - this.acknowledgedCreates;
  }

  get acknowledgedPatches(): number {
    return [...this.patches.values()].reduce((sum, p) => sum + p.acknowledged, 0);
  }
}
