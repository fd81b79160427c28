import dns from "node:dns";
import fs from "node:fs/promises";
import net from "node:net";
import { isInstanceBaseUrl } from "@strata/config";

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

const lookupAll: LookupAll = (hostname) => dns.promises.lookup(hostname, { all: true });

/**
 * OPS_INSTANCE_URLS as the instances that exist now: a URL whose host is a name standing for
 * several addresses (a Kubernetes headless Service: one A record per pod) becomes one URL per
 * address, looked up at every call, so pods that come and go are seen. An address literal,
 * or a name with one address (a Compose service), stays one instance. A name that does not
 * resolve is kept as it is: its probe then reports it down. IPv4 is preferred when a name has
 * both families (localhost), so one instance is not listed twice.
 */
export async function expandInstanceUrls(
  urls: string[],
  lookup: LookupAll = lookupAll,
): Promise<string[]> {
  const expanded = await Promise.all(
    urls.map(async (url) => {
      const parsed = new URL(url);
      const host = parsed.hostname.replace(/^\[|\]$/g, "");
      if (net.isIP(host)) return [url];
      const found = await lookup(host).catch(() => []);
      const v4 = found.filter((a) => a.family === 4);
      const addresses = [...new Set((v4.length > 0 ? v4 : found).map((a) => a.address))];
      if (addresses.length <= 1) return [url];
      return addresses.map((address) => {
        const each = new URL(url);
        each.hostname = net.isIPv6(address) ? `[${address}]` : address;
        return each.origin;
      });
    }),
  );
  return [...new Set(expanded.flat())];
}

/**
 * OPS_INSTANCE_LIST_FILE: one base URL per line, as the stack runner keeps it while it scales
 * (an instance's own OPS_INSTANCE_URLS is what existed when it started). Undefined when the
 * file cannot be read or lists nothing, so the caller falls back to OPS_INSTANCE_URLS.
 */
export async function readInstanceList(file: string): Promise<string[] | undefined> {
  const text = await fs.readFile(file, "utf8").catch(() => "");
  const urls = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && isInstanceBaseUrl(line))
    .map((url) => url.replace(/\/$/, ""));
  return urls.length > 0 ? urls : undefined;
}
