import { hash, verify, type Algorithm } from "@node-rs/argon2";
import pLimit, { type LimitFunction } from "p-limit";

// `Algorithm` is an ambient const enum, which isolated modules cannot read at run time.
const ARGON2ID = 2 as Algorithm.Argon2id;

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** Hashes a password with argon2id (memory-hard); the parameters travel inside the hash. */
export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return hash(password, { algorithm: ARGON2ID, ...params });
}

/** True when `password` matches `hash`; false (never a throw) for a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

/** True when the hash is not argon2id or was made with weaker parameters than today's. */
export function needsRehash(passwordHash: string, params: Argon2Params): boolean {
  const match = PHC.exec(passwordHash);
  if (!match) return true;
  const [memoryCost, timeCost, parallelism] = match.slice(1).map(Number) as [
    number,
    number,
    number,
  ];
  return (
    memoryCost < params.memoryCost || timeCost < params.timeCost || parallelism < params.parallelism
  );
}

let dummy: Promise<string> | undefined;
/**
 * Spends the same time as a real verification; used when no account matches, so response
 * time does not reveal which emails are registered.
 */
export async function verifyAgainstDummy(password: string, params: Argon2Params): Promise<false> {
  dummy ??= hashPassword("strata-dummy-password", params);
  await verifyPassword(await dummy, password);
  return false;
}

/** Thrown when more verifications wait than a hasher allows: the caller answers 503. */
export class HashersBusyError extends Error {
  constructor() {
    super("too many password checks are waiting");
    this.name = "HashersBusyError";
  }
}

export interface HasherLimits {
  /** argon2 computations running at once; each holds `memoryCost` KiB while it runs. */
  concurrency: number;
  /** Calls allowed to wait for a turn; one more is refused at once. */
  maxWaiting: number;
}

/**
 * argon2id with bounded concurrency. Each computation holds its memory cost (12 MiB by
 * default) for its whole run on a libuv thread, so an unbounded burst of logins takes one
 * such block per thread and every libuv thread, leaving none for DNS lookups and file reads;
 * bounded, an instance's memory for hashing is `concurrency × memoryCost` and the rest of
 * the burst waits its turn in order, or is refused once too many wait.
 */
export class PasswordHasher {
  readonly #limit: LimitFunction;

  constructor(
    readonly params: Argon2Params,
    readonly limits: HasherLimits,
  ) {
    this.#limit = pLimit(limits.concurrency);
  }

  hash(password: string): Promise<string> {
    return this.#run(() => hashPassword(password, this.params));
  }

  verify(passwordHash: string, password: string): Promise<boolean> {
    return this.#run(() => verifyPassword(passwordHash, password));
  }

  /** One verification's worth of time for an unknown account; always false. */
  verifyAgainstDummy(password: string): Promise<false> {
    return this.#run(() => verifyAgainstDummy(password, this.params));
  }

  needsRehash(passwordHash: string): boolean {
    return needsRehash(passwordHash, this.params);
  }

  /** How many computations run and wait now (for metrics and tests). */
  get load(): { running: number; waiting: number } {
    return { running: this.#limit.activeCount, waiting: this.#limit.pendingCount };
  }

  #run<T>(work: () => Promise<T>): Promise<T> {
    const full = this.#limit.activeCount >= this.limits.concurrency;
    if (full && this.#limit.pendingCount >= this.limits.maxWaiting) {
      return Promise.reject(new HashersBusyError());
    }
    return this.#limit(work);
  }
}
