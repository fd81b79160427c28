import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { IdParams, Product, ProductList, ProductListQuery } from "@strata/contracts";
import { policies } from "@strata/cache-policy";
import { sendCached } from "../../http/cached-reply.ts";
import { productListKey, productTags } from "../../services/catalogue/product-cache-keys.ts";
import type { ProductService } from "../../services/catalogue/product-service.ts";
import { problemResponses } from "../openapi-responses.ts";

/**
 * Public catalogue reads. They never look at a session, so they keep working without the
 * state Redis and stay cacheable by the tiers in front: headers, ETag and the app cache all
 * come from the route's cache policy.
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
    (request, reply) =>
      sendCached(request, reply, {
        key: productListKey(request.query),
        tags: productTags.list,
        policy: policies.productList,
        schema: ProductList,
        load: () => products.list(request.query),
      }),
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
    (request, reply) =>
      sendCached(request, reply, {
        key: `product:${request.params.id}`,
        tags: productTags.detail(request.params.id),
        policy: policies.productDetail,
        schema: Product,
        load: () => products.get(request.params.id),
        // The version leads the ETag, so the tag a reader holds can be sent back as If-Match.
        etagPrefix: (product) => String(product.version),
      }),
  );
}
