import crypto from "node:crypto";
import Fastify, { LogController, type FastifyInstance } from "fastify";
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { API_MAX_HEADER_BYTES, type ApiConfig } from "@strata/config";
import { trustedProxyCheck } from "./http/client-address.ts";
import { clientErrorHandler, connectRefusal, expectationRefusal } from "./http/client-error.ts";
import { frameworkErrorHandler, installErrorHandler } from "./http/error-handler.ts";
import { installJsonBodyParser } from "./http/json-body.ts";
import { createDatabaseProbe } from "./lifecycle/database-probe.ts";
import { Readiness } from "./lifecycle/readiness.ts";
import cacheTiersPlugin from "./plugins/cache-tiers.ts";
import databasePlugin from "./plugins/database.ts";
import liveEventsPlugin from "./plugins/live-events.ts";
import metricsPlugin from "./plugins/metrics.ts";
import openapiPlugin from "./plugins/openapi.ts";
import queuePlugin from "./plugins/queue.ts";
import redisPlugin from "./plugins/redis.ts";
import requestContextPlugin from "./plugins/request-context.ts";
import storagePlugin from "./plugins/storage.ts";
import rateLimitPlugin from "./rate-limit/rate-limit-plugin.ts";
import apiRoutes from "./routes/api.ts";
import healthRoutes from "./routes/health.ts";

declare module "fastify" {
  interface FastifyInstance {
    config: ApiConfig;
    readiness: Readiness;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Builds the API as a Fastify instance without listening: the server process (server.ts) and
 * the tests (through `inject` or a listen on port 0) share it.
 */
export async function buildApp(config: ApiConfig): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      base: { instance: config.instanceId },
      // Credentials never reach a log line, whatever a serializer is later asked to print.
      redact: {
        paths: [
          "req.headers.authorization",
          "req.headers.cookie",
          'res.headers["set-cookie"]',
          "password",
          "*.password",
        ],
        censor: "[redacted]",
      },
    },
    // The onResponse hook below writes one line per request; Fastify's own two are off.
    logController: new LogController({ disableRequestLogging: true }),
    // nginx sets X-Request-Id; keep it so one id follows the request through every tier.
    genReqId: (req) => {
      const header = req.headers["x-request-id"];
      return typeof header === "string" && REQUEST_ID.test(header) ? header : crypto.randomUUID();
    },
    // Only the listed proxies may speak for the client; never `true` (the client controls the
    // left-most X-Forwarded-For entry) and never a hop count.
    trustProxy:
      config.http.trustedProxies.length > 0 ? trustedProxyCheck(config.http.trustedProxies) : false,
    bodyLimit: config.http.bodyLimitBytes,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    forceCloseConnections: "idle",
    // A request that reaches a closing server is still served: draining already answers with
    // Connection: close, and a 503 here would fail a POST that nginx may not resend.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    // Router errors (bad percent-encoding, overlong parameters) as problem+json too.
    frameworkErrors: frameworkErrorHandler,
    // Requests Node cannot parse: problem+json, and Connection: close (client-error.ts).
    clientErrorHandler,
    // Above nginx's own header budget, so nginx refuses an oversized head before an instance
    // would (@strata/config header-limits.ts).
    http: { maxHeaderSize: API_MAX_HEADER_BYTES, requireHostHeader: false },
  }).withTypeProvider<ZodTypeProvider>();
  // Must exceed keepAliveTimeout, or a request arriving as an idle socket times out is dropped.
  app.server.headersTimeout = config.http.headersTimeoutMs;
  app.server.on("connect", connectRefusal(config.instanceId));
  app.server.on("checkExpectation", expectationRefusal(config.instanceId));

  const readiness = new Readiness();
  app.decorate("config", config);
  app.decorate("readiness", readiness);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  installJsonBodyParser(app);

  app.addHook("onListen", async () => readiness.markServing());
  // Not even built when info is off (LOG_LEVEL=warn): request.ip alone walks X-Forwarded-For.
  const logsRequests = ["info", "debug", "trace"].includes(config.logLevel);
  app.addHook("onResponse", (request, reply, done) => {
    if (!logsRequests) return done();
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? "unmatched",
        url: request.url.split("?")[0],
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        client: request.ip,
      },
      "request",
    );
    done();
  });

  await app.register(requestContextPlugin, { instanceId: config.instanceId, readiness });
  await app.register(databasePlugin, { config: config.db, instanceId: config.instanceId });
  await app.register(redisPlugin, { config });
  await app.register(storagePlugin, { config: config.storage });
  await app.register(queuePlugin);
  await app.register(metricsPlugin, {
    instanceId: config.instanceId,
    ...(config.ops.nginxAccessLog ? { nginxAccessLog: config.ops.nginxAccessLog } : {}),
  });
  await app.register(openapiPlugin);
  await app.register(cacheTiersPlugin, {
    config: config.cache,
    cacheUrl: config.redis.cacheUrl,
    instanceId: config.instanceId,
  });
  await app.register(liveEventsPlugin, {
    cacheUrl: config.redis.cacheUrl,
    instanceId: config.instanceId,
  });

  const databaseProbe = createDatabaseProbe(config.db.url, 1000);
  app.addHook("onClose", () => databaseProbe.close());
  await app.register(healthRoutes, { readiness, databaseProbe, checkTimeoutMs: 1000 });
  // Before the /api routes: it wraps each route as it is registered.
  await app.register(rateLimitPlugin, { config: config.rateLimit });
  await app.register(apiRoutes, { prefix: "/api" });
  return app;
}
