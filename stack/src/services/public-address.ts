import net from "node:net";

const WHY: Record<string, string> = {
  EADDRINUSE: "another program is listening there",
  EADDRNOTAVAIL: "not an address of this machine",
  EACCES: "a port below 1024 needs root",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "the name could not be resolved",
};

/**
 * Listens on STRATA_HOST:STRATA_PORT for a moment and lets go: nginx binds there last, after
 * storage, migrations, the seed and the instances, so a wrong host or a taken port is reported
 * before all that rather than after it.
 */
export function checkPublicAddress(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (error: Error & { code?: string }) => {
      const why = WHY[error.code ?? ""] ?? error.message;
      reject(new Error(`STRATA_HOST:STRATA_PORT ${host}:${port} cannot be listened on: ${why}`));
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
