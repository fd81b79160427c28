import fp from "fastify-plugin";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";

/** OpenAPI 3 generated from the routes' zod schemas; UI at /api/docs, JSON at /api/docs/json. */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        info: {
          title: "strata API",
          description:
            "Product catalogue, users and sessions. Errors are application/problem+json (RFC 9457).",
          version: "0.1.0",
        },
        components: {
          securitySchemes: {
            session: { type: "apiKey", in: "cookie", name: "strata_session" },
            bearer: { type: "http", scheme: "bearer" },
          },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(swaggerUi, { routePrefix: "/api/docs" });
  },
  { name: "openapi" },
);
