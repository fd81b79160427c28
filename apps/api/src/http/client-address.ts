import ipaddr from "ipaddr.js";

/**
 * The key under which a client is counted (rate limits) and logged. IPv4-mapped IPv6
 * (::ffff:1.2.3.4) is the IPv4 client it wraps; an IPv6 client is its /64, because one
 * subscriber typically owns a whole /64 and could otherwise rotate through 2^64 addresses.
 */
export function clientKey(address: string): string {
  const bare = address.split("%")[0]!;
  if (!ipaddr.isValid(bare)) return address;
  const parsed = ipaddr.process(bare); // unwraps IPv4-mapped IPv6
  if (parsed.kind() === "ipv4") return parsed.toString();
  const groups = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${groups.join(":")}::/64`;
}
