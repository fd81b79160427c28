import { useSyncExternalStore } from "react";

/**
 * A small history-API router: the app has a handful of routes, so a router library would be
 * more code than the routes themselves. nginx answers every unknown path with index.html
 * (SPA fallback), so each URL here can be opened, bookmarked and reloaded.
 */
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

if (typeof window !== "undefined") window.addEventListener("popstate", notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path and query string; re-renders on every navigation. */
export function useLocation(): { path: string; search: URLSearchParams; href: string } {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, "http://local");
  return { path: url.pathname, search: url.searchParams, href };
}

/** Goes to `href` inside the app (replace: without a new history entry, e.g. for filters). */
export function navigate(href: string, { replace = false } = {}): void {
  if (href === snapshot()) return;
  if (replace) window.history.replaceState(null, "", href);
  else window.history.pushState(null, "", href);
  notify();
  if (!replace) window.scrollTo(0, 0);
}
