import http from "node:http";
import type { AddressInfo } from "node:net";
import type client from "prom-client";

export type WorkerPhase = "starting" | "serving" | "draining";

export interface HealthSource {
  phase(): WorkerPhase;
  /** Dependency checks for /ready; each resolves to an error message or undefined. */
  checks(): Promise<Record<string, string | undefined>>;
  registry: client.Registry;
}

/**
 * The worker's small HTTP server (node:http: three routes do not need a framework):
 * `/health` is liveness (the event loop answers), `/ready` is readiness in
 * application/health+json (503 while starting or draining or when Redis or PostgreSQL fails),
 * `/metrics` is Prometheus text. It serves no traffic, so it stays up until the very end.
 */
export async function startHttpServer(
  host: string,
  port: number,
  source: HealthSource,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    const fail = (error: unknown) => send(500, "text/plain", String(error));
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain", "");
    if (path === "/health") {
      return send(
        200,
        "application/health+json",
        JSON.stringify({ status: "pass", phase: source.phase() }),
      );
    }
    if (path === "/ready") {
      source
        .checks()
        .then((results) => {
          const phase = source.phase();
          const checks = Object.fromEntries(
            Object.entries(results).map(([name, error]) => [
              name,
              [{ status: error ? "fail" : "pass", ...(error ? { output: error } : {}) }],
            ]),
          );
          const ok = phase === "serving" && Object.values(results).every((e) => !e);
          send(
            ok ? 200 : 503,
            "application/health+json",
            JSON.stringify({ status: ok ? "pass" : "fail", phase, checks }),
          );
        })
        .catch(fail);
      return;
    }
    if (path === "/metrics") {
      source.registry
        .metrics()
        .then((text) => send(200, source.registry.contentType, text))
        .catch(fail);
      return;
    }
    send(404, "text/plain", "not found");
  });
  // Probes connect often and briefly; no keep-alive socket should outlive a probe for long.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
