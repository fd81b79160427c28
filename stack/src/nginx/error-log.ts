/**
 * The lines of nginx's error log that say an instance failed a request: a connection it
 * refused, reset or closed early, a timeout, an instance taken out of rotation. Not the
 * warnings about buffering a large body or answer to a temporary file, which mention
 * "upstream" too but are nginx working as configured.
 */
export function upstreamFailures(logText: string): string[] {
  return logText
    .split("\n")
    .filter(
      (line) =>
        /upstream/.test(line) &&
        (/\[(error|crit|alert|emerg)\]/.test(line) || /temporarily disabled/.test(line)),
    );
}
