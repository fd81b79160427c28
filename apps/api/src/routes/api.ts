import type { FastifyInstance } from "fastify";

/** The public API under /api: each area registers its own encapsulated routes. */
export default async function apiRoutes(_app: FastifyInstance): Promise<void> {
  // Areas are registered here as they land: catalogue, auth, users.
}
