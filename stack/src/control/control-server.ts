import fs from "node:fs";
import http from "node:http";
import type { Stack } from "../stack.ts";

/**
 * The running `up` process answers `status`, `scale`, `restart` and `down` over HTTP on a
 * Unix socket in the data folder's run/ directory: only the data folder's owner can reach it
 * (mode 0600), it needs no port, and it disappears with the process.
 *
 *   GET  /status            → StackStatus (JSON)
 *   POST /scale?instances=N → StackStatus, or 409 with the reason (connection budget)
 *   POST /restart           → StackStatus once every instance has been restarted
 *   POST /down              → 202 at once; the stack then stops in order
 */
export async function startControlServer(
  socketPath: string,
  stack: Stack,
  log: (line: string) => void,
): Promise<http.Server> {
  if (socketPath.length > 100) {
    throw new Error(`control socket path too long (${socketPath.length} > 100): ${socketPath}`);
  }
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://control");
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    const run = async () => {
      if (request.method === "GET" && url.pathname === "/status") {
        return reply(200, stack.status());
      }
      if (request.method === "POST" && url.pathname === "/scale") {
        const instances = Number(url.searchParams.get("instances"));
        if (!Number.isInteger(instances) || instances < 1) {
          return reply(400, { error: "instances must be a whole number ≥ 1" });
        }
        await stack.scale(instances);
        return reply(200, stack.status());
      }
      if (request.method === "POST" && url.pathname === "/restart") {
        await stack.rollingRestart();
        return reply(200, stack.status());
      }
      if (request.method === "POST" && url.pathname === "/down") {
        reply(202, { stopping: true });
        log("down requested through the control socket");
        void stack.down();
        return;
      }
      return reply(404, { error: `no such command: ${request.method} ${url.pathname}` });
    };
    run().catch((error: Error) => reply(409, { error: error.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  fs.chmodSync(socketPath, 0o600);
  server.unref();
  return server;
}
