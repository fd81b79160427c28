import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.ts";
import { startBackends, testConfig, type TestBackends } from "../support/test-api.ts";

async function clientIpSeen(
  trustedProxies: string,
  headers: Record<string, string>,
): Promise<string> {
  const app = await buildApp(testConfig(backends, { TRUSTED_PROXIES: trustedProxies }));
  app.get("/test/ip", async (request) => ({ ip: request.ip }));
  try {
    const response = await app.inject({ url: "/test/ip", headers, remoteAddress: "127.0.0.1" });
    return (response.json() as { ip: string }).ip;
  } finally {
    await app.close();
  }
}

let backends: TestBackends;
beforeAll(async () => {
  backends = await startBackends();
});
afterAll(() => backends.stop());

describe("client address", () => {
  it("ignores X-Forwarded-For when no proxy is trusted", async () => {
    expect(await clientIpSeen("", { "x-forwarded-for": "198.51.100.9" })).toBe("127.0.0.1");
  });

  it("believes X-Forwarded-For only from a trusted proxy, right-most untrusted hop first", async () => {
    // A client-supplied left-most entry must not win over what nginx saw.
    const ip = await clientIpSeen("127.0.0.1", { "x-forwarded-for": "6.6.6.6, 198.51.100.9" });
    expect(ip).toBe("198.51.100.9");
  });

  it("ignores X-Forwarded-For from a peer outside the trusted list", async () => {
    expect(await clientIpSeen("10.0.0.1", { "x-forwarded-for": "198.51.100.9" })).toBe("127.0.0.1");
  });

  it("never uses X-Real-IP or Forwarded", async () => {
    const ip = await clientIpSeen("127.0.0.1", {
      "x-real-ip": "6.6.6.6",
      forwarded: "for=6.6.6.6",
    });
    expect(ip).toBe("127.0.0.1");
  });
});
