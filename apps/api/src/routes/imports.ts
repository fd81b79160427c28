import type { ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ImportAccepted, ImportStatus } from "@strata/contracts";
import { QueueName } from "@strata/queue";
import { problems } from "../http/problem.ts";
import { loadImportStatus } from "../services/imports/job-views.ts";
import { displayFileName, ImportUploadService } from "../services/imports/import-upload-service.ts";
import { uploadProblem } from "../uploads/upload-errors.ts";
import { adminUploadScope } from "../uploads/admin-upload-scope.ts";
import { readSingleFile } from "../uploads/single-file-part.ts";
import { assertDeclaredSize, assertSameOrigin, UploadSlots } from "../uploads/upload-guards.ts";
import { problemResponses, SESSION_SECURITY } from "./openapi-responses.ts";

const ImportParams = z.strictObject({ id: z.uuid("must be an import id") });

/** How often an event stream looks at its job; few admins follow imports at a time. */
const POLL_MS = 500;
const HEARTBEAT_MS = 15_000;

/**
 * CSV imports (admin): `POST /api/imports` stores the file and answers 202 with the job's
 * id at once; `GET /api/imports/:id` is its status and `GET /api/imports/:id/events` a
 * server-sent event stream of it, ending when the import completes or fails.
 */
export default async function importRoutes(app: FastifyInstance): Promise<void> {
  const limitBytes = app.config.uploads.importLimitBytes;
  await adminUploadScope(app, limitBytes);
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const imports = new ImportUploadService({
    storage: app.storage,
    queues: app.queues,
    stateRedis: app.redis.state,
    limitBytes,
  });
  const slots = new UploadSlots(4);
  const queue = () => app.queues.queue(QueueName.imports);

  const findImport = async (id: string) => {
    const status = await loadImportStatus(await queue(), id);
    if (!status) throw problems.notFound(`no import ${id} (or it is older than the retention)`);
    return status;
  };

  routes.post(
    "/",
    {
      schema: {
        tags: ["admin"],
        summary: "Import products from a CSV file (multipart/form-data, one file part)",
        description:
          "Columns: sku, name, price_cents, category (slug); optional description, stock. Rows are upserted by sku. Answers 202 at once; follow the import at the returned links.",
        security: SESSION_SECURITY,
        consumes: ["multipart/form-data"],
        response: { 202: ImportAccepted, ...problemResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      assertSameOrigin(request);
      assertDeclaredSize(request, limitBytes);
      const release = slots.acquire();
      try {
        const stored = await readSingleFile(
          request,
          "CSV",
          async (part) => ({
            ...(await imports.store(part.file)),
            fileName: displayFileName(part.filename),
          }),
          // Stored, then refused (a second part): nothing would ever read the file.
          (refused) => imports.discard(refused),
        );
        const accepted = await imports.accept(stored, stored.fileName, request.user!.id);
        reply.code(202).header("location", accepted.links.self);
        return accepted;
      } catch (error) {
        throw uploadProblem(error, limitBytes);
      } finally {
        release();
      }
    },
  );

  routes.get(
    "/:id",
    {
      schema: {
        tags: ["admin"],
        summary: "An import's state, progress and report of bad rows",
        security: SESSION_SECURITY,
        params: ImportParams,
        response: { 200: ImportStatus, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => findImport(request.params.id),
  );

  const streams = new Set<ServerResponse>();
  routes.get(
    "/:id/events",
    {
      schema: {
        tags: ["admin"],
        summary:
          "Server-sent events: `progress` with the import's status on each change, then `done`",
        security: SESSION_SECURITY,
        params: ImportParams,
        produces: ["text/event-stream"],
        response: { ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const first = await findImport(request.params.id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "private, no-store",
        "x-accel-buffering": "no",
        "x-instance": app.config.instanceId,
      });
      streams.add(res);
      let last = "";
      let quietSince = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(timer);
        streams.delete(res);
        if (!res.writableEnded) res.end();
      };
      request.raw.on("close", finish);
      // Polling the job, not a blocking Redis stream per instance: a handful of admins, no
      // events lost across reconnects, and every instance can serve any stream.
      const send = (status: ImportStatus) => {
        const data = JSON.stringify(status);
        if (data !== last) {
          res.write(`event: progress\ndata: ${data}\n\n`);
          last = data;
          quietSince = Date.now();
        } else if (Date.now() - quietSince > HEARTBEAT_MS) {
          res.write(": keep-alive\n\n");
          quietSince = Date.now();
        }
        if (status.state === "completed" || status.state === "failed") {
          res.write(`event: done\ndata: ${JSON.stringify({ state: status.state })}\n\n`);
          finish();
          return false;
        }
        return true;
      };
      res.write("retry: 2000\n\n");
      if (!send(first)) return;
      const tick = async () => {
        if (res.writableEnded) return;
        try {
          const status = await loadImportStatus(await queue(), request.params.id);
          if (!status) {
            res.write(`event: done\ndata: ${JSON.stringify({ state: "gone" })}\n\n`);
            finish();
            return;
          }
          if (!send(status)) return;
        } catch (error) {
          // Redis away for a moment: keep the stream, try again.
          request.log.warn({ err: (error as Error).message }, "import status unavailable");
        }
        timer = setTimeout(tick, POLL_MS);
      };
      timer = setTimeout(tick, POLL_MS);
    },
  );

  // Streams end before the server waits for in-flight requests; clients reconnect elsewhere.
  app.addHook("preClose", async () => {
    for (const stream of streams) stream.end();
    streams.clear();
  });
}
