import fs from "node:fs";

/**
 * Established TCP connections whose local port is one of `ports` (the server side of
 * nginx → instance connections), read from /proc/net/tcp{,6}; each is named by its remote
 * address (nginx's ephemeral port), so samples taken over time can be counted as distinct.
 */
export function establishedTo(ports: number[]): string[] {
  const wanted = new Set(ports);
  const found: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, remote, state] = [fields[1], fields[2], fields[3]];
      if (!local || !remote || state !== "01") continue; // 01 = ESTABLISHED
      const port = parseInt(local.split(":")[1] ?? "", 16);
      if (wanted.has(port)) found.push(`${port}<-${remote}`);
    }
  }
  return found;
}

/** Samples `establishedTo` every `intervalMs` until stopped; the distinct connections seen. */
export function sampleConnections(ports: number[], intervalMs = 20) {
  const seen = new Set<string>();
  let peak = 0;
  const timer = setInterval(() => {
    const now = establishedTo(ports);
    peak = Math.max(peak, now.length);
    for (const c of now) seen.add(c);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { distinct: seen.size, peak };
    },
  };
}
