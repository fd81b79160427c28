import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium (apt package `chromium`); browsers are never downloaded here. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Headless Chromium for the browser tests. Playwright gives every launch a fresh, empty
 * user-data-dir of its own. Without the background-networking flags Chromium keeps trying to
 * reach Google's hosts, which this machine's closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}
