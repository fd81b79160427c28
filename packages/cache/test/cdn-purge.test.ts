import http from "node:http";
import { describe, expect, it } from "vitest";
import { CloudFrontPurger, CloudflarePurger, pathsForTags } from "../src/cdn-purge.ts";

describe("CDN purge adapters", () => {
  it("maps tags to the CloudFront paths that carry them", () => {
    expect(pathsForTags(["product:42"])).toEqual(["/api/products/42"]);
    expect(pathsForTags(["products", "product:42", "category:7"])).toEqual(["/api/products*"]);
    expect(pathsForTags(["categories"])).toEqual(["/api/categories*"]);
  });

  it("builds a CloudFront CreateInvalidation input", () => {
    const input = CloudFrontPurger.invalidationInput("E123", ["product:42", "categories"], "ref-1");
    expect(input).toEqual({
      DistributionId: "E123",
      InvalidationBatch: {
        CallerReference: "ref-1",
        Paths: { Quantity: 2, Items: ["/api/categories*", "/api/products/42"] },
      },
    });
  });

  it("sends Cloudflare purge-by-tag calls in batches of 30 with the API token", async () => {
    const received: { url: string; auth: string | undefined; body: { tags: string[] } }[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        received.push({
          url: req.url!,
          auth: req.headers.authorization,
          body: JSON.parse(body) as { tags: string[] },
        });
        res.writeHead(200, { "content-type": "application/json" }).end('{"success":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const purger = new CloudflarePurger("zone-1", "tok-123", `http://127.0.0.1:${port}`);
      const tags = Array.from({ length: 31 }, (_, i) => `product:${i}`);
      await purger.purge(tags);
      expect(received).toHaveLength(2);
      expect(received[0]).toMatchObject({
        url: "/zones/zone-1/purge_cache",
        auth: "Bearer tok-123",
      });
      expect(received[0]!.body.tags).toHaveLength(30);
      expect(received[1]!.body.tags).toEqual(["product:30"]);
    } finally {
      server.close();
    }
  });
});
