import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { IdParams, Product, ProductCreate, ProductUpdate } from "@strata/contracts";
import { privateResponses } from "../../plugins/auth.ts";
import { expectedVersionForUpdate, parseIfMatch } from "../../services/catalogue/preconditions.ts";
import type { ProductService } from "../../services/catalogue/product-service.ts";
import { problemResponses, SESSION_SECURITY } from "../openapi-responses.ts";

const IfMatchHeaders = z.object({
  "if-match": z
    .string()
    .optional()
    .describe('the version read, as an entity tag: "3" (or * for any)'),
});

const CreateHeaders = z.object({
  "idempotency-key": z
    .string()
    .optional()
    .describe("a retry with the same key and body creates nothing and replays the first response"),
});

/** The version as an entity tag, the form If-Match takes it back in. */
const etag = (version: number) => `"${version}"`;

/** Admin writes on /api/products: the whole subtree requires an admin session. */
export default async function productWriteRoutes(
  app: FastifyInstance,
  { products }: { products: ProductService },
): Promise<void> {
  app.addHook("onRequest", privateResponses);
  app.addHook("onRequest", app.authenticate);
  app.addHook("onRequest", app.requireAdmin);
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    "",
    {
      config: { idempotent: true },
      schema: {
        tags: ["admin"],
        summary: "Create a product (honours Idempotency-Key)",
        security: SESSION_SECURITY,
        headers: CreateHeaders,
        body: ProductCreate,
        response: {
          201: Product,
          ...problemResponses(400, 401, 403, 409, 413, 415, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const product = await products.create(request.body, request.idempotencyClaim?.key);
      reply
        .code(201)
        .header("location", `/api/products/${product.id}`)
        .header("etag", etag(product.version));
      return product;
    },
  );

  routes.patch(
    "/:id",
    {
      schema: {
        tags: ["admin"],
        summary: "Update a product (optimistic concurrency: If-Match or version)",
        security: SESSION_SECURITY,
        params: IdParams,
        headers: IfMatchHeaders,
        body: ProductUpdate,
        response: {
          200: Product,
          ...problemResponses(400, 401, 403, 404, 412, 413, 415, 422, 428, 503),
        },
      },
    },
    async (request, reply) => {
      const { version, ...changes } = request.body;
      const expected = expectedVersionForUpdate(request.headers["if-match"], version);
      const product = await products.update(request.params.id, changes, expected);
      reply.header("etag", etag(product.version));
      return product;
    },
  );

  routes.delete(
    "/:id",
    {
      schema: {
        tags: ["admin"],
        summary: "Delete a product (conditional when If-Match is sent)",
        security: SESSION_SECURITY,
        params: IdParams,
        headers: IfMatchHeaders,
        response: {
          204: z.undefined().describe("deleted"),
          ...problemResponses(400, 401, 403, 404, 412, 503),
        },
      },
    },
    async (request, reply) => {
      const ifMatch = request.headers["if-match"];
      await products.delete(
        request.params.id,
        ifMatch === undefined ? "any" : parseIfMatch(ifMatch),
      );
      return reply.code(204).send();
    },
  );
}
