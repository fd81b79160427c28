import net from "node:net";

/** The names the proxy check (@fastify/proxy-addr) expands to address ranges. */
const RANGE_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * Checks each TRUSTED_PROXIES entry the way the API's proxy check will read it (an address,
 * an address/prefix-length, an IPv4 address/netmask, or a range name), so that a typo is one
 * line of the start-up message instead of a TypeError thrown while the app is being built.
 */
export function checkTrustedProxies(entries: string[], problems: string[]): void {
  for (const entry of entries) {
    const problem = trustedProxyProblem(entry);
    if (problem) problems.push(`TRUSTED_PROXIES: ${entry} ${problem}`);
  }
}

function trustedProxyProblem(entry: string): string | undefined {
  if (RANGE_NAMES.has(entry)) return undefined;
  const slash = entry.lastIndexOf("/");
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = net.isIP(address);
  if (family === 0) {
    return "is not an IP address, a CIDR such as 10.0.0.0/8, or one of loopback, linklocal, uniquelocal";
  }
  if (slash === -1) return undefined;
  const range = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (/^[0-9]+$/.test(range) && Number(range) >= 1 && Number(range) <= max) return undefined;
  if (family === 4 && net.isIP(range) === 4 && netmaskBits(range) > 0) return undefined;
  return family === 4
    ? `has a bad range: a prefix length of 1-${max} or a netmask such as 255.255.0.0`
    : `has a bad range: a prefix length of 1-${max}`;
}

/** The prefix length of a contiguous IPv4 netmask, 0 when the mask is not contiguous. */
function netmaskBits(mask: string): number {
  const bits = mask
    .split(".")
    .map((octet) => Number(octet).toString(2).padStart(8, "0"))
    .join("");
  return /^1*0*$/.test(bits) ? bits.replace(/0+$/, "").length : 0;
}
