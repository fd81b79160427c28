const WHY: Record<string, string> = {
  EADDRINUSE: "another program is listening there",
  EADDRNOTAVAIL: "not an address of this machine",
  EACCES: "a port below 1024 needs root",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "the name could not be resolved",
};

/**
 * The message for a failed listen, naming the settings to fix (as `npm start` does for
 * STRATA_HOST:STRATA_PORT), instead of a bare `getaddrinfo ENOTFOUND` and its stack trace.
 */
export function listenProblem(
  error: Error & { code?: string },
  host: string,
  port: number,
): string {
  const why = WHY[error.code ?? ""] ?? error.message;
  return `HOST:PORT ${host}:${port} cannot be listened on: ${why}`;
}
