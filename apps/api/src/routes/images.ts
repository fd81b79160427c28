import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  IMMUTABLE_CACHE_CONTROL,
  ObjectNotFoundError,
  StorageUnavailableError,
} from "@strata/storage";
import { problems } from "../http/problem.ts";

// `<sha256>` (an original) or `<sha256>.<size>.webp` (a thumbnail): nothing else is public.
const IMAGE_NAME = /^[0-9a-f]{64}(\.(small|medium|large)\.webp)?$/;

/**
 * `GET /api/images/:name`: an image object streamed from storage. Keys are content-addressed,
 * so a URL always means the same bytes: one year, immutable, for the browser, nginx and a CDN
 * alike, and a strong ETag that is the name itself (a revalidation needs no storage call).
 */
export default async function imageRoutes(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/:name",
    {
      schema: {
        tags: ["catalogue"],
        summary: "An image or thumbnail by its content-addressed name (cached for a year)",
        params: z.object({ name: z.string().describe("<sha256> or <sha256>.<size>.webp") }),
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      if (!IMAGE_NAME.test(name)) throw problems.notFound("no such image");
      const etag = `"${name}"`;
      // Set on the answers that name the image only: a 404 keeps no ETag nor a year of cache.
      const found = () =>
        reply
          .header("etag", etag)
          .header("cache-control", IMMUTABLE_CACHE_CONTROL)
          .header("x-content-type-options", "nosniff");
      const ifNoneMatch = request.headers["if-none-match"];
      if (
        ifNoneMatch &&
        ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)
      ) {
        // Only a client that was sent these bytes holds this ETag: the name is their hash.
        return found().code(304).send();
      }
      let object;
      try {
        object = await app.storage.get(`images/${name}`);
      } catch (error) {
        if (error instanceof ObjectNotFoundError) throw problems.notFound("no such image");
        if (error instanceof StorageUnavailableError) {
          throw problems.unavailable("object storage is unavailable; retry shortly", 5);
        }
        throw error;
      }
      found().type(object.contentType ?? "application/octet-stream");
      if (object.contentLength !== undefined) reply.header("content-length", object.contentLength);
      return reply.send(object.body);
    },
  );
}
