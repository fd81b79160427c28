import net from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { listenProblem } from "../src/index.ts";

function listenError(host: string, port: number): Promise<Error> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", resolve);
    server.listen({ host, port }, () => server.close(() => reject(new Error("listened"))));
  });
}

describe("listenProblem", () => {
  it("names HOST:PORT and says why, for a taken port and an unknown host", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      expect(
        listenProblem(await listenError("127.0.0.1", port), "HOST:PORT", "127.0.0.1", port),
      ).toBe(
        `HOST:PORT 127.0.0.1:${port} cannot be listened on: another program is listening there`,
      );
    } finally {
      taken.close();
    }
    const unknown = await listenError("nowhere.invalid", 3000);
    expect(listenProblem(unknown, "HOST:PORT", "nowhere.invalid", 3000)).toMatch(
      /^HOST:PORT nowhere\.invalid:3000 cannot be listened on: (no such host|the name could not be resolved)$/,
    );
  });
});
