import fp from "fastify-plugin";
import type { Readiness } from "../lifecycle/readiness.ts";

/**
 * Every response says which instance answered (X-Instance) and carries the request id.
 * While draining, responses ask the client (nginx) to close its keep-alive connection, so
 * that by the time the server stops listening no idle socket is left for nginx to reuse.
 */
export default fp<{ instanceId: string; readiness: Readiness }>(
  async (app, { instanceId, readiness }) => {
    app.addHook("onRequest", async (request, reply) => {
      reply.header("x-instance", instanceId);
      reply.header("x-request-id", request.id);
    });
    app.addHook("onSend", async (_request, reply) => {
      if (readiness.phase === "draining") reply.header("connection", "close");
    });
  },
  { name: "request-context" },
);
