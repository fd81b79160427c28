import crypto from "node:crypto";
import type { PublicPolicy } from "@strata/cache-policy";

/**
 * One cached response body and what decides its validity. `tokens` are the versions of its
 * tags at the moment its data was read from PostgreSQL: the entry is valid only while every
 * tag still has that version, so an invalidation can never be undone by a slow reader.
 */
interface EntryFacts {
  /** Strong validator: a hash of the body, so it changes whenever any byte does. */
  etag: string;
  tokens: Record<string, string>;
  /** Epoch ms until which the entry is fresh. */
  freshUntil: number;
  /** Epoch ms until which it may be served stale while revalidating. */
  revalidateUntil: number;
  /** Epoch ms until which it may be served stale when PostgreSQL fails. */
  errorUntil: number;
}

/** An entry as a fill makes it and L2 (Redis) stores it: the serialised JSON body. */
export interface StoredEntry extends EntryFacts {
  body: string;
}

/**
 * An entry as L1 keeps it: only the body's UTF-8 bytes. Encoded once when the entry enters L1
 * instead of on every hit (a body with one non-ASCII character is a two-byte string, whose
 * encoding on each send cost a third of the throughput), and not kept as a string as well,
 * which would hold every L1 body twice, once inside V8's heap.
 */
export interface LocalEntry extends EntryFacts {
  body: Buffer;
}

/** What a cache read answers with; either form is sent as it is. */
export type CacheEntry = StoredEntry | LocalEntry;

/** The body as text, whichever tier it came from. */
export function bodyText(entry: CacheEntry): string {
  return typeof entry.body === "string" ? entry.body : entry.body.toString("utf8");
}

/** What a loader produces: the body, and optionally a prefix for its ETag (e.g. a version). */
export interface Loaded {
  body: string;
  etagPrefix?: string;
}

export function makeEntry(
  loaded: Loaded,
  tokens: Record<string, string>,
  policy: PublicPolicy,
  now = Date.now(),
): StoredEntry {
  const freshUntil = now + policy.fresh * 1000;
  const hash = crypto.createHash("sha256").update(loaded.body).digest("base64url").slice(0, 22);
  const { body } = loaded;
  return {
    body,
    etag: `"${loaded.etagPrefix ? `${loaded.etagPrefix}-` : ""}${hash}"`,
    tokens,
    freshUntil,
    revalidateUntil: freshUntil + policy.staleWhileRevalidate * 1000,
    errorUntil: freshUntil + policy.staleIfError * 1000,
  };
}

/** True when every tag of the entry still has the version it was filled under. */
export function tokensMatch(
  entry: CacheEntry,
  current: Record<string, string | undefined>,
): boolean {
  for (const [tag, token] of Object.entries(entry.tokens)) {
    if (current[tag] !== token) return false;
  }
  return true;
}

/** The entry's last useful moment in any role. */
export function expiresAt(entry: CacheEntry): number {
  return Math.max(entry.revalidateUntil, entry.errorUntil);
}
