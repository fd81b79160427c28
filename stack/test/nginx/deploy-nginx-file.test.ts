import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { deployNginxFile, renderDeployNginxConfig } from "../../src/nginx/deploy-nginx-file.ts";

describe("deploy/nginx/strata.conf", () => {
  it("is exactly what the generator makes (run `npm run deploy:nginx` after a change)", () => {
    expect(fs.readFileSync(deployNginxFile, "utf8")).toBe(renderDeployNginxConfig());
  });

  it("balances the brief's three instances: 3/3 and a backup of 1", () => {
    const text = renderDeployNginxConfig();
    expect(text).toContain("server api-1:3000 weight=3");
    expect(text).toContain("server api-2:3000 weight=3");
    expect(text).toMatch(/server api-3:3000 weight=1 .*backup;/);
  });
});
