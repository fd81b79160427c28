/** One line of nginx's JSON access log (stack/src/nginx/generate-nginx-config.ts writes it). */
export interface AccessLine {
  time?: string;
  uri?: string;
  status?: number;
  cache_status?: string;
  upstream_addr?: string;
}

/**
 * The line as an object when it is an API request worth counting: /api/ only, without the
 * event streams (one long request each) and the operations view's own polls. Lines that are
 * cut or not JSON give undefined.
 */
export function apiAccessLine(line: string): AccessLine | undefined {
  if (!line.startsWith("{")) return undefined;
  let entry: AccessLine;
  try {
    entry = JSON.parse(line) as AccessLine;
  } catch {
    return undefined;
  }
  const uri = entry.uri ?? "";
  if (!uri.startsWith("/api/") || uri.startsWith("/api/events") || uri.startsWith("/api/ops/")) {
    return undefined;
  }
  return entry;
}
