/**
 * Every load this harness makes goes to this machine only: a URL whose host is not a loopback
 * address is refused before anything is sent.
 */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (!/^127\.\d+\.\d+\.\d+$/.test(host) && host !== "[::1]" && host !== "localhost") {
    throw new Error(`refusing to send load to ${host}: only loopback addresses are targets`);
  }
}
