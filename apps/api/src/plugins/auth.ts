import cookie from "@fastify/cookie";
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import fp from "fastify-plugin";
import { cacheControl, policies } from "@strata/cache-policy";
import type { Role } from "@strata/contracts";
import { HttpProblem } from "../http/problem.ts";
import { SessionStore } from "../services/sessions/session-store.ts";
import { sessionTokenOf } from "./session-cookie.ts";

/** Who is calling, as far as the session says. */
export interface AuthenticatedUser {
  id: number;
  role: Role;
}

declare module "fastify" {
  interface FastifyInstance {
    sessions: SessionStore;
    /** onRequest hook: 401 unless the request carries a live session; sets `request.user`. */
    authenticate: onRequestAsyncHookHandler;
    /** onRequest hook, after `authenticate`: 403 unless the user is an admin. */
    requireAdmin: onRequestAsyncHookHandler;
  }
  interface FastifyRequest {
    /** Set by `authenticate`; null on routes that do not authenticate. */
    user: AuthenticatedUser | null;
    /** The token `authenticate` accepted (logout and login rotation use it). */
    sessionToken: string | null;
  }
}

const PRIVATE = cacheControl(policies.private);

/**
 * Sessions for the /api tree: cookie parsing, the session store and the `authenticate` /
 * `requireAdmin` hooks that route subtrees add for themselves (encapsulation: a public route
 * never touches Redis, so public reads keep working when the state Redis is down).
 */
export default fp(
  async (app) => {
    await app.register(cookie);
    const { session } = app.config;
    const sessions = new SessionStore(app.redis.state, session.ttlSeconds);
    app.decorate("sessions", sessions);
    app.decorateRequest("user", null);
    app.decorateRequest("sessionToken", null);

    app.decorate("authenticate", async function authenticate(request: FastifyRequest) {
      const token = sessionTokenOf(request, session.cookieName);
      const data = token ? await sessions.get(token) : null;
      if (!token || !data) {
        throw new HttpProblem(
          { status: 401, title: "Unauthorized", detail: "log in first (no valid session)" },
          { "www-authenticate": 'Bearer realm="strata"' },
        );
      }
      request.user = { id: data.userId, role: data.role };
      request.sessionToken = token;
    });

    app.decorate("requireAdmin", async function requireAdmin(request: FastifyRequest) {
      if (request.user?.role !== "admin") {
        throw new HttpProblem({
          status: 403,
          title: "Forbidden",
          detail: "this needs an admin account",
        });
      }
    });

    // A response that sets or clears a cookie is never cacheable by anyone, whatever a later
    // cache policy says: a shared cache replaying it would hand one user's session to another.
    app.addHook("onSend", (_request, reply: FastifyReply, payload, done) => {
      if (reply.hasHeader("set-cookie")) reply.header("cache-control", PRIVATE);
      done(null, payload);
    });
  },
  { name: "auth", dependencies: ["redis"] },
);

/** onRequest hook for private subtrees: their responses are for one user and never stored. */
export async function privateResponses(_request: FastifyRequest, reply: FastifyReply) {
  reply.header("cache-control", PRIVATE);
}
