/**
 * Keeps the process going when whoever reads its output goes away (`npm start | head`, a
 * closed terminal). Without a listener the next console line throws EPIPE from the stream: `up`
 * died mid-start and left PostgreSQL, Redis and s3rver running with no supervisor. Output
 * nobody reads is dropped; the work goes on.
 */
export function ignoreClosedOutput(stream: NodeJS.WritableStream): void {
  stream.on("error", (error: Error & { code?: string }) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}
