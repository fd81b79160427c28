import type { FastifyReply, FastifyRequest } from "fastify";
import type { ApiConfig } from "@strata/config";

/**
 * The session token of a request: `Authorization: Bearer <token>` (API clients) wins over the
 * session cookie (browsers). Undefined when neither is present.
 */
export function sessionTokenOf(request: FastifyRequest, cookieName: string): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  return request.cookies[cookieName] || undefined;
}

/**
 * HttpOnly (scripts cannot read it), SameSite=Lax (not sent on cross-site POSTs, the CSRF
 * defence together with JSON-only bodies), Path=/ (the front end and /api share the origin),
 * Secure per configuration (on by default in production), and no longer than the session.
 */
export function setSessionCookie(
  reply: FastifyReply,
  session: ApiConfig["session"],
  token: string,
): void {
  reply.setCookie(session.cookieName, token, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: session.cookieSecure,
    maxAge: session.ttlSeconds,
  });
}

/** Tells the browser to drop the session cookie (same attributes, expired). */
export function clearSessionCookie(reply: FastifyReply, session: ApiConfig["session"]): void {
  reply.clearCookie(session.cookieName, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: session.cookieSecure,
  });
}
