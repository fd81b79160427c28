import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";

/** apps/web/test-results/ (gitignored): failure screenshots and the pages' pictures. */
export const resultsDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "test-results",
  "e2e",
);

const safe = (name: string) => name.replace(/[^a-z0-9-]+/gi, "-").toLowerCase();

/** Saves a full-page screenshot; never fails the test itself. */
export async function screenshot(page: Page, name: string): Promise<string | undefined> {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${safe(name)}.png`);
  try {
    await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
    return file;
  } catch {
    return undefined;
  }
}

/**
 * Runs a test body; when it throws, every open page is photographed first (named after the
 * test and the page) so a failure in CI can be looked at, then the error goes on.
 */
export async function withFailureScreenshots(
  name: string,
  pages: () => Record<string, Page | undefined>,
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (error) {
    const saved: string[] = [];
    for (const [label, page] of Object.entries(pages())) {
      if (!page || page.isClosed()) continue;
      const file = await screenshot(page, `failed-${name}-${label}`);
      if (file) saved.push(file);
    }
    if (saved.length > 0) console.error(`screenshots of the failure:\n  ${saved.join("\n  ")}`);
    throw error;
  }
}
