import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { User, UserList, UserListQuery } from "@strata/contracts";
import { privateResponses } from "../../plugins/auth.ts";
import { problems } from "../../http/problem.ts";
import { listUsers } from "../../services/users/user-list.ts";
import type { UserRepository } from "../../services/users/user-repository.ts";
import { problemResponses, SESSION_SECURITY } from "../openapi-responses.ts";

/** /api/users: `me` for any session, the list for admins only. */
export default async function userRoutes(
  app: FastifyInstance,
  { users }: { users: UserRepository },
): Promise<void> {
  app.addHook("onRequest", privateResponses);
  app.addHook("onRequest", app.authenticate);

  app.withTypeProvider<ZodTypeProvider>().get(
    "/me",
    {
      schema: {
        tags: ["users"],
        summary: "The logged-in user",
        security: SESSION_SECURITY,
        response: { 200: User, ...problemResponses(401, 503) },
      },
    },
    async (request) => {
      const user = await users.findById(request.user!.id);
      if (user) return user;
      // The account is gone; its sessions are worthless.
      await app.sessions.destroy(request.sessionToken!);
      throw problems.unauthorized("the account of this session no longer exists");
    },
  );

  await app.register(async (admin) => {
    admin.addHook("onRequest", app.requireAdmin);
    admin.withTypeProvider<ZodTypeProvider>().get(
      "",
      {
        schema: {
          tags: ["users"],
          summary: "List users (admin; keyset pagination by id)",
          security: SESSION_SECURITY,
          querystring: UserListQuery,
          response: { 200: UserList, ...problemResponses(400, 401, 403, 503) },
        },
      },
      (request) => listUsers(users, request.query),
    );
  });
}
