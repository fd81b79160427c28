import fp from "fastify-plugin";
import type { Readiness } from "../lifecycle/readiness.ts";

/**
 * Every response says which instance answered (X-Instance) and carries the request id.
 * While draining, responses ask the client (nginx) to close its keep-alive connection, so
 * that by the time the server stops listening no idle socket is left for nginx to reuse.
 */
export default fp<{ instanceId: string; readiness: Readiness }>(
  async (app, { instanceId, readiness }) => {
    app.addHook("onRequest", (request, reply, done) => {
      reply.header("x-instance", instanceId);
      reply.header("x-request-id", request.id);
      done();
    });
    app.addHook("onSend", (_request, reply, payload, done) => {
      if (readiness.phase === "draining") reply.header("connection", "close");
      done(null, payload);
    });
  },
  { name: "request-context" },
);
