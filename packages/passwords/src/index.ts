import argon2 from "argon2";

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** Hashes a password with argon2id (memory-hard); the parameters travel inside the hash. */
export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...params });
}

/** True when `password` matches `hash`; false (never a throw) for a malformed hash. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** True when the hash was made with weaker parameters than today's and should be redone. */
export function needsRehash(hash: string, params: Argon2Params): boolean {
  return argon2.needsRehash(hash, { ...params });
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
