import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { OpsOverview } from "@strata/contracts";
import { createProducers } from "@strata/queue";
import { privateResponses } from "../../plugins/auth.ts";
import { expandInstanceUrls, readInstanceList } from "../../services/ops/instance-discovery.ts";
import { opsOverview } from "../../services/ops/ops-overview.ts";
import { problemResponses, SESSION_SECURITY } from "../openapi-responses.ts";

/**
 * GET /api/ops/overview (admin): every instance's /ready and /metrics, queue depths and nginx's
 * cache tiers, for the front end's operations view. Instances are probed on their own ports,
 * not through nginx, so each row is that instance; the list comes from OPS_INSTANCE_LIST_FILE
 * when it can be read (the stack runner's, current after a scale), else OPS_INSTANCE_URLS (a
 * name with several addresses, like a headless Service, is one row per address).
 */
export default async function opsRoutes(app: FastifyInstance): Promise<void> {
  app.addHook("onRequest", privateResponses);
  app.addHook("onRequest", app.authenticate);
  app.addHook("onRequest", app.requireAdmin);

  const { ops, http } = app.config;
  const producers = createProducers(app.redis.state, (error, queue) =>
    app.log.warn({ err: error.message, queue }, "ops view: queue unavailable"),
  );
  app.addHook("onClose", () => producers.close());
  // Without a list, the view shows the instance that answered.
  const self = `http://${http.host === "0.0.0.0" ? "127.0.0.1" : http.host}:${http.port}`;
  const instanceUrls = ops.instanceUrls.length > 0 ? ops.instanceUrls : [self];

  app.withTypeProvider<ZodTypeProvider>().get(
    "/overview",
    {
      schema: {
        tags: ["admin"],
        summary: "Operations overview: instances, queues, cache tiers (admin)",
        security: SESSION_SECURITY,
        response: { 200: OpsOverview, ...problemResponses(401, 403, 503) },
      },
    },
    async () =>
      opsOverview({
        instanceUrls: await expandInstanceUrls(
          (ops.instanceListFile && (await readInstanceList(ops.instanceListFile))) || instanceUrls,
        ),
        ...(ops.nginxAccessLog ? { nginxAccessLog: ops.nginxAccessLog } : {}),
        producers,
        timeoutMs: 1000,
        nginxWindowSeconds: 60,
      }),
  );
}
