import { describe, expect, it } from "vitest";
import { clientKey, trustedProxyCheck } from "../../src/http/client-address.ts";

describe("clientKey", () => {
  it("keeps IPv4 as it is", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
  });
  it("unwraps IPv4-mapped IPv6", () => {
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::FFFF:10.1.2.3")).toBe("10.1.2.3");
  });
  it("buckets IPv6 clients by /64", () => {
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:0db8:0001:0002::")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("2001:db8:1:3::1")).not.toBe(clientKey("2001:db8:1:2::1"));
  });
  it("handles loopback and zone ids", () => {
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });
});

describe("trustedProxyCheck", () => {
  const trusts = trustedProxyCheck(["127.0.0.1", "10.0.0.0/8", "::1"]);
  it("trusts listed addresses and ranges, IPv4-mapped included, and nothing else", () => {
    for (const address of ["127.0.0.1", "10.2.3.4", "::ffff:10.2.3.4", "::1"]) {
      expect(trusts(address, 0), address).toBe(true);
    }
    for (const address of ["127.0.0.2", "11.0.0.1", "2001:db8::1", "not an address", ""]) {
      expect(trusts(address, 0), address).toBe(false);
    }
  });
  it("gives the same verdict when asked again, past its memory's bound too", () => {
    for (let i = 0; i < 12_000; i++) trusts(`198.51.${i >> 8}.${i & 255}`, 1);
    expect(trusts("10.9.9.9", 0)).toBe(true);
    expect(trusts("10.9.9.9", 1)).toBe(true);
    expect(trusts("198.51.0.1", 0)).toBe(false);
  });
});
