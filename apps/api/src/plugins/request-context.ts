import fp from "fastify-plugin";
import { sendProblem } from "../http/problem.ts";
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
      // An HTTP/1.1 request without Host: Node's own check (requireHostHeader, off in app.ts)
      // answers with a bare 400 and an empty body. nginx refuses it itself; this is for a
      // client on the instance's own port. Here, in the hook every request runs anyway.
      if (request.headers.host === undefined && request.raw.httpVersion === "1.1") {
        reply.header("connection", "close");
        sendProblem(reply, {
          status: 400,
          title: "Bad Request",
          detail: "an HTTP/1.1 request must carry a Host header",
        });
        return;
      }
      done();
    });
    app.addHook("onSend", (_request, reply, payload, done) => {
      if (readiness.phase === "draining") reply.header("connection", "close");
      done(null, payload);
    });
  },
  { name: "request-context" },
);
