import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { IdParams, UploadedImage } from "@strata/contracts";
import { ImageUploadService } from "../services/images/image-upload-service.ts";
import { uploadProblem } from "../uploads/upload-errors.ts";
import { adminUploadScope } from "../uploads/admin-upload-scope.ts";
import { readSingleFile } from "../uploads/single-file-part.ts";
import { assertDeclaredSize, assertSameOrigin, UploadSlots } from "../uploads/upload-guards.ts";
import { problemResponses, SESSION_SECURITY } from "./openapi-responses.ts";

/** Uploads streaming at once on one instance (each holds up to 10 MiB of parts). */
const MAX_CONCURRENT_UPLOADS = 16;

/**
 * `POST /api/products/:id/images` (admin): one image file in a multipart body, streamed to
 * object storage as it arrives. The type is decided from the bytes, the size limit is
 * UPLOAD_LIMIT_BYTES, the key is the bytes' SHA-256.
 */
export default async function productImageRoutes(app: FastifyInstance): Promise<void> {
  const limitBytes = app.config.uploads.imageLimitBytes;
  await adminUploadScope(app, limitBytes);

  const images = new ImageUploadService({
    db: app.db,
    storage: app.storage,
    queues: app.queues,
    invalidation: app.invalidator,
    log: app.log,
    limitBytes,
  });
  const slots = new UploadSlots(MAX_CONCURRENT_UPLOADS);

  app.withTypeProvider<ZodTypeProvider>().post(
    "/:id/images",
    {
      schema: {
        tags: ["admin"],
        summary: "Upload a product image (multipart/form-data, one file part; JPEG, PNG or WebP)",
        description: `The type is read from the file's bytes; its name and declared type are ignored. At most ${limitBytes} bytes (UPLOAD_LIMIT_BYTES). Thumbnails are made in the background and appear in the product's images.`,
        security: SESSION_SECURITY,
        consumes: ["multipart/form-data"],
        params: IdParams,
        response: {
          200: UploadedImage.describe("these bytes were already an image of this product"),
          201: UploadedImage,
          ...problemResponses(400, 401, 403, 404, 413, 415, 422, 503),
        },
      },
    },
    async (request, reply) => {
      assertSameOrigin(request);
      assertDeclaredSize(request, limitBytes);
      await images.assertProductExists(request.params.id);
      const release = slots.acquire();
      try {
        const stored = await readSingleFile(request, "image", (part) => images.store(part.file));
        const { image, created } = await images.record(request.params.id, stored);
        reply.code(created ? 201 : 200).header("location", image.url);
        return image;
      } catch (error) {
        throw uploadProblem(error, limitBytes);
      } finally {
        release();
      }
    },
  );
}
