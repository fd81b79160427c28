import proxyAddr from "@fastify/proxy-addr";
import ipaddr from "ipaddr.js";

/**
 * The key under which a client is counted (rate limits) and logged. IPv4-mapped IPv6
 * (::ffff:1.2.3.4) is the IPv4 client it wraps; an IPv6 client is its /64, because one
 * subscriber typically owns a whole /64 and could otherwise rotate through 2^64 addresses.
 */
export function clientKey(address: string): string {
  let key = recentKeys.get(address);
  if (key === undefined) {
    key = computeClientKey(address);
    // A plain Map emptied when full: a parse per request cost 3 % of a rate-limited read, and
    // an address that comes back after a reset is parsed once more, nothing worse.
    if (recentKeys.size >= RECENT_KEYS_MAX) recentKeys.clear();
    recentKeys.set(address, key);
  }
  return key;
}

const RECENT_KEYS_MAX = 10_000;
const recentKeys = new Map<string, string>();

function computeClientKey(address: string): string {
  const bare = address.split("%")[0]!;
  if (!ipaddr.isValid(bare)) return address;
  const parsed = ipaddr.process(bare); // unwraps IPv4-mapped IPv6
  if (parsed.kind() === "ipv4") return parsed.toString();
  const groups = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${groups.join(":")}::/64`;
}

/**
 * Fastify's trustProxy check for the configured proxies (addresses, CIDRs or the names
 * loopback, linklocal, uniquelocal), remembering each address's verdict. Fastify asks on every
 * `request.ip` (each log line, each rate-limit decision), and the check it would compile
 * parses the address every time: 1.2 µs, 3 % of an L1 read behind nginx (measured).
 */
export function trustedProxyCheck(proxies: string[]): (address: string, hop: number) => boolean {
  const trusts = proxyAddr.compile(proxies);
  const verdicts = new Map<string, boolean>();
  return (address, hop) => {
    let verdict = verdicts.get(address);
    if (verdict === undefined) {
      // The list's check ignores the hop; X-Forwarded-For entries are any string a client
      // sends, so the memory is a bounded Map emptied when full, like recentKeys above.
      verdict = trusts(address, hop);
      if (verdicts.size >= RECENT_KEYS_MAX) verdicts.clear();
      verdicts.set(address, verdict);
    }
    return verdict;
  };
}
