import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { LoginRequest, RegisterRequest, Session, User } from "@strata/contracts";
import { privateResponses } from "../../plugins/auth.ts";
import {
  clearSessionCookie,
  sessionTokenOf,
  setSessionCookie,
} from "../../plugins/session-cookie.ts";
import type { AuthService } from "../../services/auth/auth-service.ts";
import { problemResponses } from "../openapi-responses.ts";

/**
 * Register, login, logout. Bodies here carry passwords: nothing in this file logs a body or a
 * token (the app's redact list is the second line of defence, not the first).
 */
export default async function authRoutes(
  app: FastifyInstance,
  { auth }: { auth: AuthService },
): Promise<void> {
  const { session } = app.config;
  app.addHook("onRequest", privateResponses);
  // The first unknown-email login would otherwise also pay for hashing the dummy password,
  // and be measurably slower than the others.
  app.addHook("onReady", async () => {
    await auth.warmUp();
  });
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    "/register",
    {
      schema: {
        tags: ["auth"],
        summary: "Create a customer account",
        body: RegisterRequest,
        response: { 201: User, ...problemResponses(400, 409, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const user = await auth.register(request.body.email, request.body.password);
      request.log.info({ userId: user.id }, "account registered");
      reply.code(201);
      return user;
    },
  );

  routes.post(
    "/login",
    {
      schema: {
        tags: ["auth"],
        summary: "Log in: sets the session cookie and returns the token for Bearer use",
        body: LoginRequest,
        response: { 200: Session, ...problemResponses(400, 401, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const user = await auth.verifyCredentials(request.body.email, request.body.password);
      // A new token on every login (no session fixation); the one presented, if any, ends.
      const previous = sessionTokenOf(request, session.cookieName);
      if (previous) await app.sessions.destroy(previous);
      const { token, expiresAt } = await app.sessions.create(user);
      setSessionCookie(reply, session, token);
      request.log.info({ userId: user.id }, "logged in");
      return { user, token, expiresAt: expiresAt.toISOString() };
    },
  );

  routes.post(
    "/logout",
    {
      schema: {
        tags: ["auth"],
        summary: "End the session on every instance (idempotent)",
        response: { 204: z.undefined().describe("logged out"), ...problemResponses(503) },
      },
    },
    async (request, reply) => {
      clearSessionCookie(reply, session);
      const token = sessionTokenOf(request, session.cookieName);
      if (token) await app.sessions.destroy(token);
      return reply.code(204).send();
    },
  );
}
