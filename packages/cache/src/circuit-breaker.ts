/**
 * Skips a failing dependency for `openMs` after a failure, so a dead or frozen Redis costs one
 * timeout per window instead of one per request. The first call after the window is the probe.
 */
export class CircuitBreaker {
  #openUntil = 0;
  #onChange: (open: boolean) => void;

  constructor(
    private readonly openMs: number,
    onChange: (open: boolean) => void = () => {},
  ) {
    this.#onChange = onChange;
  }

  get isOpen(): boolean {
    return Date.now() < this.#openUntil;
  }

  recordFailure(): void {
    const wasOpen = this.isOpen;
    this.#openUntil = Date.now() + this.openMs;
    if (!wasOpen) this.#onChange(true);
  }

  recordSuccess(): void {
    if (this.#openUntil !== 0) {
      this.#openUntil = 0;
      this.#onChange(false);
    }
  }
}
