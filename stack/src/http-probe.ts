import http from "node:http";

export interface ProbeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One GET on a fresh connection (no keep-alive pool): a readiness probe must see the
 * server as it is now, not through a socket that an old nginx worker still holds.
 */
export function probe(url: string, timeoutMs = 1_000): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `url` until it answers 200 (and `accept` agrees), failing early when `gone()` says
 * the process died, or after `timeoutMs` with the last answer in the message.
 */
export async function waitForHttp(
  what: string,
  url: string,
  options: {
    timeoutMs: number;
    gone?: () => string | undefined;
    accept?: (r: ProbeResponse) => boolean;
  },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last: string;
  for (;;) {
    const died = options.gone?.();
    if (died) throw new Error(`${what} exited before it was ready (${died})`);
    try {
      const response = await probe(url);
      if (response.status === 200 && (options.accept?.(response) ?? true)) return;
      last = `HTTP ${response.status} ${response.body.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} was not ready after ${options.timeoutMs} ms: ${last}`);
    }
    await sleep(150);
  }
}
