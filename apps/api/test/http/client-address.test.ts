import { describe, expect, it } from "vitest";
import { clientKey } from "../../src/http/client-address.ts";

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
