import closeWithGrace from "close-with-grace";
import { ConfigError, listenProblem, loadApiConfig } from "@strata/config";
import { buildApp } from "./app.ts";

/**
 * The API process: configuration, listen, and the ordered shutdown on SIGTERM/SIGINT —
 * /ready turns 503, the instance keeps serving for DRAIN_DELAY_MS while the balancer notices,
 * then stops accepting, lets in-flight requests finish within SHUTDOWN_TIMEOUT_MS, closes idle
 * keep-alive sockets, Redis and the pool (onClose hooks), and exits 0.
 */
let config;
try {
  config = loadApiConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const app = await buildApp(config);
const { drainDelayMs, shutdownTimeoutMs } = config.http;

closeWithGrace({ delay: drainDelayMs + shutdownTimeoutMs }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, "fatal error; shutting down");
  app.log.info({ signal, drainDelayMs }, "draining");
  app.readiness.markDraining();
  await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
  app.log.info("closing: no new connections, waiting for in-flight requests");
  await app.close();
  app.log.info("closed");
});

try {
  await app.listen({ host: config.http.host, port: config.http.port });
} catch (error) {
  const problem = listenProblem(error as Error, "HOST:PORT", config.http.host, config.http.port);
  app.log.fatal({ code: (error as { code?: string }).code }, problem);
  process.exit(1);
}
