import http from "node:http";

export class NoRunningStackError extends Error {
  constructor(
    readonly dataDir: string,
    more?: string,
  ) {
    super(`no stack is running in ${dataDir}${more ? `: ${more}` : ""}`);
    this.name = "NoRunningStackError";
  }
}

/** One request to the running stack's control socket; the answer's JSON and status. */
export function control(
  socketPath: string,
  dataDir: string,
  method: "GET" | "POST",
  path: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ socketPath, method, path }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => {
        try {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT" || error.code === "ECONNREFUSED"
          ? new NoRunningStackError(dataDir)
          : error,
      );
    });
    request.end();
  });
}
