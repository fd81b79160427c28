import net from "node:net";

/**
 * A service given by URL (DATABASE_URL, REDIS_*_URL, S3_ENDPOINT) that cannot be reached at
 * start-up: the message names the variable and where it points (credentials left out), so
 * `npm start` says which setting to fix instead of a bare `connect ECONNREFUSED`.
 */
export class UnreachableServiceError extends Error {
  constructor(variable: string, url: string, cause: unknown) {
    super(
      `${variable} (${withoutCredentials(url)}) cannot be reached: ${(cause as Error).message ?? String(cause)}`,
      { cause },
    );
    this.name = "UnreachableServiceError";
  }
}

/** The URL as it may be printed: scheme, host, port and path, never a user or password. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "(not a URL)";
  }
}

/** Runs `check`; its failure becomes an UnreachableServiceError naming `variable`. */
export async function reach<T>(variable: string, url: string, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    throw new UnreachableServiceError(variable, url, error);
  }
}

const DEFAULT_PORTS: Record<string, number> = {
  "redis:": 6379,
  "rediss:": 6379,
  "http:": 80,
  "https:": 443,
};

/**
 * Opens and closes one TCP connection to the URL's host and port: enough to tell a wrong host
 * or port, or a server that is down, from everything that works. Redis and S3 are not
 * otherwise spoken to here (the stack holds no client for either); their clients in the
 * instances report anything else.
 */
export function tcpReachable(url: string, timeoutMs = 3_000): Promise<void> {
  const u = new URL(url);
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[u.protocol];
  if (port === undefined) return Promise.reject(new Error(`no port in ${u.protocol} URL`));
  const host = u.hostname.replace(/^\[|\]$/g, "");
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no connection within ${timeoutMs} ms`)),
    );
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("error", reject);
  });
}
