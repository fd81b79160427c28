import fs from "node:fs/promises";
import type { OpsNginx } from "@strata/contracts";
import { apiAccessLine } from "./nginx-access-line.ts";

/** Bytes read from the end of the log: at ~300 bytes a line, several thousand requests. */
const TAIL_BYTES = 2 * 1024 * 1024;

/**
 * What nginx answered for /api over the last `windowSeconds`, from the tail of its JSON access
 * log (stack/src/nginx/generate-nginx-config.ts writes one object per line). A window rather
 * than counters since start: every instance that answers the ops view computes the same
 * numbers from the same file. Event streams and the ops view's own polls are left out.
 */
export async function nginxAccessSummary(
  file: string,
  windowSeconds: number,
  now = Date.now(),
): Promise<OpsNginx> {
  const handle = await fs.open(file, "r");
  let text: string;
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    text = buffer.toString("utf8");
    // The first line may be cut in the middle when the tail starts inside it.
    if (start > 0) text = text.slice(text.indexOf("\n") + 1);
  } finally {
    await handle.close();
  }
  const since = now - windowSeconds * 1000;
  const summary: OpsNginx = {
    windowSeconds,
    requests: 0,
    byCacheStatus: {},
    notModified: 0,
    byUpstream: {},
  };
  for (const line of text.split("\n")) {
    const entry = apiAccessLine(line);
    if (!entry) continue;
    const time = Date.parse(entry.time ?? "");
    if (!(time >= since)) continue;
    summary.requests++;
    const cache = entry.cache_status || "-";
    summary.byCacheStatus[cache] = (summary.byCacheStatus[cache] ?? 0) + 1;
    if (entry.status === 304) summary.notModified++;
    // "a, b" when nginx retried: the last one answered.
    const upstream = entry.upstream_addr?.split(",").at(-1)?.trim();
    if (upstream && upstream !== "-") {
      summary.byUpstream[upstream] = (summary.byUpstream[upstream] ?? 0) + 1;
    }
  }
  return summary;
}
