import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { IdParams, Product, ProductList, ProductListQuery } from "@strata/contracts";
import type { ProductService } from "../../services/catalogue/product-service.ts";
import { problemResponses } from "../openapi-responses.ts";

/**
 * Public catalogue reads. They never look at a session, so they keep working without the
 * state Redis and stay cacheable by the tiers in front (the cache policy hook adds headers).
 */
export default async function productReadRoutes(
  app: FastifyInstance,
  { products }: { products: ProductService },
): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    "",
    {
      schema: {
        tags: ["catalogue"],
        summary: "List products (keyset pagination, category filter, text search, sort)",
        querystring: ProductListQuery,
        response: { 200: ProductList, ...problemResponses(400, 503) },
      },
    },
    (request) => products.list(request.query),
  );

  routes.get(
    "/:id",
    {
      schema: {
        tags: ["catalogue"],
        summary: "One product",
        params: IdParams,
        response: { 200: Product, ...problemResponses(400, 404, 503) },
      },
    },
    (request) => products.get(request.params.id),
  );
}
