import net from "node:net";

export interface TcpProxy {
  port: number;
  /**
   * Makes every connection open now go silent in both directions without closing it, as a
   * NAT or firewall that dropped its state does: neither side hears of it. New connections
   * are forwarded normally.
   */
  blackholeAll(): void;
  close(): Promise<void>;
}

/** A loopback TCP forwarder to `targetPort`, for simulating network faults. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; silent: boolean }>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ port: targetPort, host: "127.0.0.1" });
    const pair = { client, upstream, silent: false };
    pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on("data", (chunk) => {
        if (!pair.silent) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    blackholeAll() {
      for (const pair of pairs) pair.silent = true;
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
