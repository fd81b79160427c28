import { CloudFrontClient, CreateInvalidationCommand } from "@aws-sdk/client-cloudfront";
import type { CacheConfig } from "@strata/config";

/** Purges a CDN by the tags of what changed (or by the paths those tags map to). */
export interface CdnPurger {
  readonly provider: string;
  purge(tags: string[]): Promise<void>;
}

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * CloudFront invalidates by path, not by tag: a tag maps to the paths whose responses carry it.
 * `products` covers every list and search (`/api/products*`; one wildcard path counts as one
 * invalidation), `product:42` its detail, `categories` the category list.
 */
export function pathsForTags(tags: string[]): string[] {
  const paths = new Set<string>();
  for (const tag of tags) {
    if (tag === "products") paths.add("/api/products*");
    else if (tag === "categories") paths.add("/api/categories*");
    else if (tag.startsWith("product:")) paths.add(`/api/products/${tag.slice("product:".length)}`);
    else if (tag.startsWith("category:")) paths.add("/api/products*");
  }
  // A wildcard already covers the details under it.
  if (paths.has("/api/products*"))
    for (const p of [...paths]) if (/^\/api\/products\/\d+$/.test(p)) paths.delete(p);
  return [...paths].sort();
}

/** Where no CDN is configured: say what would be purged, so the wiring is visible in logs. */
export class LogCdnPurger implements CdnPurger {
  readonly provider = "none";
  constructor(private readonly logger: Logger) {}
  async purge(tags: string[]): Promise<void> {
    this.logger.info({ tags, paths: pathsForTags(tags) }, "cdn purge (no CDN configured)");
  }
}

export class CloudFrontPurger implements CdnPurger {
  readonly provider = "cloudfront";
  constructor(
    private readonly client: CloudFrontClient,
    private readonly distributionId: string,
  ) {}

  /** The CreateInvalidation input for `tags`; the caller reference makes a retry idempotent. */
  static invalidationInput(distributionId: string, tags: string[], reference: string) {
    const paths = pathsForTags(tags);
    return {
      DistributionId: distributionId,
      InvalidationBatch: {
        CallerReference: reference,
        Paths: { Quantity: paths.length, Items: paths },
      },
    };
  }

  async purge(tags: string[]): Promise<void> {
    const input = CloudFrontPurger.invalidationInput(
      this.distributionId,
      tags,
      `strata-${Date.now()}-${tags.join(",")}`,
    );
    if (input.InvalidationBatch.Paths.Quantity === 0) return;
    await this.client.send(new CreateInvalidationCommand(input));
  }
}

/** Cloudflare purges by the `Cache-Tag` header values directly. */
export class CloudflarePurger implements CdnPurger {
  readonly provider = "cloudflare";
  constructor(
    private readonly zoneId: string,
    private readonly apiToken: string,
    private readonly apiBase = "https://api.cloudflare.com/client/v4",
  ) {}

  /** The purge_cache request for `tags` (Cloudflare accepts up to 30 tags per call). */
  request(tags: string[]): { url: string; init: RequestInit }[] {
    const batches: string[][] = [];
    for (let i = 0; i < tags.length; i += 30) batches.push(tags.slice(i, i + 30));
    return batches.map((batch) => ({
      url: `${this.apiBase}/zones/${encodeURIComponent(this.zoneId)}/purge_cache`,
      init: {
        method: "POST",
        headers: { authorization: `Bearer ${this.apiToken}`, "content-type": "application/json" },
        body: JSON.stringify({ tags: batch }),
      },
    }));
  }

  async purge(tags: string[]): Promise<void> {
    for (const { url, init } of this.request(tags)) {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`Cloudflare purge answered ${response.status}`);
      await response.body?.cancel();
    }
  }
}

/** The purger the configuration asks for. */
export function createCdnPurger(config: CacheConfig["cdn"], logger: Logger): CdnPurger {
  switch (config.provider) {
    case "cloudfront":
      // CloudFront is a global service whose API lives in us-east-1.
      return new CloudFrontPurger(
        new CloudFrontClient({ region: "us-east-1" }),
        config.distributionId,
      );
    case "cloudflare":
      return new CloudflarePurger(config.zoneId, config.apiToken);
    default:
      return new LogCdnPurger(logger);
  }
}
