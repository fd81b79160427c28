import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cloudFrontConfig, cloudflareRules, policies } from "@strata/cache-policy";

/**
 * Writes deploy/cdn/{cloudfront,cloudflare}.json from the cache policies (`npm run
 * generate:cdn`). A test fails when the committed files differ from a fresh generation.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CDN_DIR = path.join(root, "deploy", "cdn");

export function cdnFiles(): Record<string, string> {
  const inputs = {
    policies: Object.values(policies),
    sessionCookie: "strata_session",
    originDomain: "origin.example.com",
  };
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    "cloudfront.json": json(cloudFrontConfig(inputs)),
    "cloudflare.json": json(cloudflareRules(inputs)),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fs.mkdirSync(CDN_DIR, { recursive: true });
  for (const [name, content] of Object.entries(cdnFiles()))
    fs.writeFileSync(path.join(CDN_DIR, name), content);
}
