const WHY: Record<string, string> = {
  EADDRINUSE: "another program is listening there",
  EADDRNOTAVAIL: "not an address of this machine",
  EACCES: "a port below 1024 needs root",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "the name could not be resolved",
};

/**
 * The message for a failed listen, naming the settings to fix (`HOST:PORT` for an instance,
 * `STRATA_HOST:STRATA_PORT` for `npm start`), instead of a bare `getaddrinfo ENOTFOUND` and its
 * stack trace.
 */
export function listenProblem(
  error: Error & { code?: string },
  settings: string,
  host: string,
  port: number,
): string {
  const why = WHY[error.code ?? ""] ?? error.message;
  return `${settings} ${host}:${port} cannot be listened on: ${why}`;
}
