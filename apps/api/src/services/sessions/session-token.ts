import crypto from "node:crypto";

/** 32 random bytes, base64url: 256 bits, unguessable; the server never stores it as is. */
export function newSessionToken(): string {
  return crypto.randomBytes(32).toString("base64url");
}

/** Tokens we hand out are exactly 43 base64url characters; anything else is not looked up. */
export function isWellFormedToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

/**
 * Redis holds sha256(token), not the token: a dump of the state Redis (backup, replica,
 * MONITOR) does not hand out live sessions. A fast hash is right here because the token is
 * random and long; slow hashing is for low-entropy secrets such as passwords.
 */
export function hashSessionToken(token: string): string {
  return crypto.createHash("sha256").update(token, "utf8").digest("hex");
}
