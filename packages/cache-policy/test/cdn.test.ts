import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CDN_DIR, cdnFiles } from "../../../scripts/generate-cdn.ts";
import { IMMUTABLE_SECONDS, cloudFrontConfig, cloudflareRules, policies } from "../src/index.ts";

const inputs = {
  policies: Object.values(policies),
  sessionCookie: "strata_session",
  originDomain: "o.example",
};

describe("CDN configuration", () => {
  it("is committed as generated from the policies (npm run generate:cdn)", () => {
    for (const [name, content] of Object.entries(cdnFiles())) {
      expect(fs.readFileSync(path.join(CDN_DIR, name), "utf8"), name).toBe(content);
    }
  });

  it("gives CloudFront the brief's behaviours: assets a year, the API origin-controlled, HTTPS", () => {
    const config = cloudFrontConfig(inputs);
    const byPath = Object.fromEntries(config.CacheBehaviors.map((b) => [b.PathPattern, b]));
    const policy = (name: string) => config.CachePolicies.find((p) => p.Name === name)!;
    expect(policy(byPath["/assets/*"]!.CachePolicyName)).toMatchObject({
      MinTTL: IMMUTABLE_SECONDS,
      DefaultTTL: IMMUTABLE_SECONDS,
    });
    const api = policy(byPath["/api/*"]!.CachePolicyName);
    expect(api).toMatchObject({ MinTTL: 0, DefaultTTL: 0 });
    // MaxTTL must not clip any policy's shared freshness plus its stale window.
    for (const p of Object.values(policies)) {
      if (p.visibility === "public")
        expect(api.MaxTTL).toBeGreaterThanOrEqual(p.fresh + p.staleIfError);
    }
    for (const b of [...config.CacheBehaviors, config.DefaultCacheBehavior]) {
      expect(b.ViewerProtocolPolicy).toBe("redirect-to-https");
    }
  });

  it("makes Cloudflare bypass requests with credentials before caching API reads", () => {
    const { rules } = cloudflareRules(inputs);
    const bypass = rules.findIndex((r) => r.action_parameters.cache === false);
    const apiReads = rules.findIndex((r) => r.description.startsWith("API reads"));
    expect(bypass).toBeGreaterThanOrEqual(0);
    expect(bypass).toBeLessThan(apiReads);
    expect(rules[bypass]!.expression).toContain("strata_session");
    expect(rules[bypass]!.expression).toContain("authorization");
  });
});
