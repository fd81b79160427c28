import fs from "node:fs";

/** Resident memory of a process in megabytes (VmRSS), or undefined once it is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** Samples the resident memory of a changing set of processes; keeps each one's maximum. */
export class RssSampler {
  readonly max: Record<string, number> = {};
  /** Each process's first sample: what it held before the load. */
  readonly first: Record<string, number> = {};
  #timer: NodeJS.Timeout | undefined;

  constructor(readonly pids: () => Record<string, number>) {}

  start(intervalMs = 250): void {
    this.stop();
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  sample(): void {
    for (const [name, pid] of Object.entries(this.pids())) {
      const mb = rssMb(pid);
      if (mb === undefined) continue;
      this.first[name] ??= mb;
      this.max[name] = Math.max(this.max[name] ?? 0, mb);
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
