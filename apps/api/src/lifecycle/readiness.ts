/** Where the process is in its life; /ready answers 503 unless "serving". */
export type Phase = "starting" | "serving" | "draining";

export class Readiness {
  #phase: Phase = "starting";

  get phase(): Phase {
    return this.#phase;
  }
  markServing(): void {
    if (this.#phase === "starting") this.#phase = "serving";
  }
  markDraining(): void {
    this.#phase = "draining";
  }
}
