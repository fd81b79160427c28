import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { CategoryList } from "@strata/contracts";
import { policies } from "@strata/cache-policy";
import { sendCached } from "../../http/cached-reply.ts";
import type { CategoryRepository } from "../../services/catalogue/category-repository.ts";
import { problemResponses } from "../openapi-responses.ts";

/** GET /api/categories: every category, by name. */
export default async function categoryRoutes(
  app: FastifyInstance,
  { categories }: { categories: CategoryRepository },
): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    "",
    {
      schema: {
        tags: ["catalogue"],
        summary: "List categories",
        response: { 200: CategoryList, ...problemResponses(503) },
      },
    },
    (request, reply) =>
      sendCached(request, reply, {
        key: "categories",
        tags: ["categories"],
        policy: policies.categories,
        schema: CategoryList,
        load: async () => ({ items: await categories.list() }),
      }),
  );
}
