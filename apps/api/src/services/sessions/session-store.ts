import type { Redis } from "ioredis";
import { z } from "zod";
import { Role } from "@strata/contracts";
import { withStateRedis } from "../redis-guard.ts";
import { parseJsonOrUndefined } from "../safe-json.ts";
import { hashSessionToken, isWellFormedToken, newSessionToken } from "./session-token.ts";

const KEY_PREFIX = "session:";

const SessionData = z.object({
  userId: z.number().int().positive(),
  role: Role,
  createdAt: z.iso.datetime(),
});

/** What a session knows about its user; everything else is read from PostgreSQL. */
export type SessionData = z.infer<typeof SessionData>;

/**
 * Sessions live in the state Redis under sha256(token) with a time to live, so every instance
 * sees the same sessions and a logout (DEL) is effective everywhere at once. No per-process
 * secret exists: two instances started with the same environment accept each other's tokens.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  /** Starts a session; the token is returned once and never stored. */
  async create(user: { id: number; role: Role }): Promise<{ token: string; expiresAt: Date }> {
    const token = newSessionToken();
    const data: SessionData = {
      userId: user.id,
      role: user.role,
      createdAt: new Date().toISOString(),
    };
    await withStateRedis("sessions", () =>
      this.redis.set(sessionKey(token), JSON.stringify(data), "EX", this.ttlSeconds),
    );
    return { token, expiresAt: new Date(Date.now() + this.ttlSeconds * 1000) };
  }

  /** The session for `token`, or null when it is unknown, expired or logged out. */
  async get(token: string): Promise<SessionData | null> {
    if (!isWellFormedToken(token)) return null;
    const raw = await withStateRedis("sessions", () => this.redis.get(sessionKey(token)));
    if (raw === null) return null;
    const parsed = SessionData.safeParse(parseJsonOrUndefined(raw));
    return parsed.success ? parsed.data : null;
  }

  /** Ends a session; ending an unknown one is not an error (logout is idempotent). */
  async destroy(token: string): Promise<void> {
    if (!isWellFormedToken(token)) return;
    await withStateRedis("sessions", () => this.redis.del(sessionKey(token)));
  }
}

/** The Redis key of a token's session (tests use it to expire a session by hand). */
export function sessionKey(token: string): string {
  return KEY_PREFIX + hashSessionToken(token);
}
