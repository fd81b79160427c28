import multipart from "@fastify/multipart";
import type { FastifyInstance } from "fastify";
import { privateResponses } from "../plugins/auth.ts";
import { closeUnreadBodies } from "./upload-guards.ts";

/**
 * Turns a route subtree into an admin upload scope: multipart parsing for one file part of at
 * most `limitBytes` (only here: everywhere else multipart stays a 415, see routes/api.ts),
 * private responses, an admin session, and unread bodies closed after the answer.
 */
export async function adminUploadScope(app: FastifyInstance, limitBytes: number): Promise<void> {
  await app.register(multipart, {
    // One byte over the limit is enough to know it is too large; busboy stops reading there.
    limits: { fileSize: limitBytes + 1, files: 1, fields: 0, parts: 1, headerPairs: 20 },
    throwFileSizeLimit: false,
  });
  app.addHook("onRequest", privateResponses);
  app.addHook("onRequest", app.authenticate);
  app.addHook("onRequest", app.requireAdmin);
  app.addHook("onSend", closeUnreadBodies);
}
