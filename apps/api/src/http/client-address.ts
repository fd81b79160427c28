import net from "node:net";

/**
 * The key under which a client is counted (rate limits) and logged. IPv4-mapped IPv6
 * (::ffff:1.2.3.4) is the IPv4 client it wraps; an IPv6 client is its /64, because one
 * subscriber typically owns a whole /64 and could otherwise rotate through 2^64 addresses.
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (net.isIPv4(address)) return address;
  if (!net.isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(":")}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head, tail] = address.split("%")[0]!.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(missing).fill("0"), ...right];
  return groups.map((g) => (parseInt(g, 16) || 0).toString(16));
}
