import net from "node:net";

export interface RawAnswer {
  status: number | undefined;
  error?: string;
}

/**
 * Sends bytes exactly as given over a fresh connection and reads the status line: node:http
 * refuses to send most of what a bad-input sweep is about (unescaped paths, broken encodings,
 * conflicting lengths). Only 127.0.0.1 ports are ever targets.
 */
export function sendRaw(port: number, bytes: Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let head = "";
    let done = false;
    const finish = (answer: RawAnswer) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => finish({ status: undefined, error: "timeout" }));
    // write, not end: a half-closed connection reads as an aborted client to nginx (499).
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const line = head.indexOf("\r\n");
      if (line >= 0) {
        const match = /^HTTP\/1\.[01] (\d{3})/.exec(head.slice(0, line));
        finish(match ? { status: Number(match[1]) } : { status: undefined, error: "not HTTP" });
      }
    });
    socket.on("error", (error: Error & { code?: string }) =>
      finish({ status: undefined, error: error.code ?? error.message }),
    );
    socket.on("close", () => finish({ status: undefined, error: "closed without an answer" }));
  });
}

/** An HTTP/1.1 request as bytes; `Content-Length` from the body unless given. */
export function rawRequest(options: {
  method: string;
  target: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}): Buffer {
  const body =
    options.body === undefined
      ? Buffer.alloc(0)
      : typeof options.body === "string"
        ? Buffer.from(options.body, "utf8")
        : options.body;
  const headers: Record<string, string> = {
    host: "127.0.0.1",
    connection: "close",
    ...(options.body !== undefined ? { "content-length": String(body.length) } : {}),
    ...options.headers,
  };
  const head = `${options.method} ${options.target} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n")}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}
