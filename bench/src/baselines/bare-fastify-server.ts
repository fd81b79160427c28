// The bare Fastify ceiling: one route answering a constant body, nothing else (no hooks, no
// logger, no validation). Run as its own process, like an API instance:
//   node --import tsx bench/src/baselines/bare-fastify-server.ts <port> <body file>
// The body is the API's own product-list response, so both send the same bytes, held as a
// Buffer: the fastest form of a constant (a string with one non-ASCII character is encoded
// again on every send), so the ceiling is the highest Fastify can do.
import fs from "node:fs";
import Fastify from "fastify";

const [port, bodyFile] = process.argv.slice(2);
const body = fs.readFileSync(bodyFile!);
// The API's keep-alive setting, so neither side pays for reconnects.
const app = Fastify({ logger: false, keepAliveTimeout: 72_000 });
app.get("/bare", (_request, reply) => {
  reply.type("application/json; charset=utf-8").send(body);
});
await app.listen({ host: "127.0.0.1", port: Number(port) });
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
