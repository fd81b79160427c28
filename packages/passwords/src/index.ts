import { hash, verify, type Algorithm } from "@node-rs/argon2";

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
