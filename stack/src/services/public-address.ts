import net from "node:net";
import { listenProblem } from "@strata/config";

/**
 * Listens on STRATA_HOST:STRATA_PORT for a moment and lets go: nginx binds there last, after
 * storage, migrations, the seed and the instances, so a wrong host or a taken port is reported
 * before all that rather than after it.
 */
export function checkPublicAddress(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (error: Error) =>
      reject(new Error(listenProblem(error, "STRATA_HOST:STRATA_PORT", host, port))),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
