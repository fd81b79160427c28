import type { QueryClient } from "@tanstack/react-query";
import { z } from "zod";
import { catalogueQueryKeys, queryKeysForTags } from "./tags-to-query-keys.ts";

const InvalidateEvent = z.object({ tags: z.array(z.string()) });

export type LiveState = "connecting" | "live" | "reconnecting";

/**
 * Listens to `/api/events` (server-sent events) and invalidates the queries a write affects,
 * so every open page shows an admin's change without a reload. Delivery is at most once (an
 * event published while this browser was reconnecting is lost), so every reconnect after the
 * first connection invalidates all catalogue queries. Invalidation refetches only queries on
 * screen; the refetch revalidates through the browser cache (api-client's `no-cache`).
 */
export function startLiveInvalidation(
  client: QueryClient,
  onState: (state: LiveState) => void = () => {},
): () => void {
  let source: EventSource | undefined;
  let connectedBefore = false;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    onState(connectedBefore ? "reconnecting" : "connecting");
    source = new EventSource("/api/events");
    source.addEventListener("open", () => {
      if (connectedBefore) {
        for (const queryKey of catalogueQueryKeys()) void client.invalidateQueries({ queryKey });
      }
      connectedBefore = true;
      onState("live");
    });
    source.addEventListener("invalidate", (event) => {
      const parsed = InvalidateEvent.safeParse(safeJson((event as MessageEvent<string>).data));
      if (!parsed.success) return;
      for (const queryKey of queryKeysForTags(parsed.data.tags)) {
        void client.invalidateQueries({ queryKey });
      }
    });
    source.addEventListener("error", () => {
      onState("reconnecting");
      // EventSource retries by itself while the stream is merely interrupted; once it gives up
      // (CLOSED, e.g. an nginx 502 while every instance restarts) we start a new one.
      if (source?.readyState === EventSource.CLOSED && !closed) {
        retryTimer = setTimeout(connect, 3000);
      }
    });
  };

  connect();
  return () => {
    closed = true;
    clearTimeout(retryTimer);
    source?.close();
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
