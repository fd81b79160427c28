import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildServerBundle } from "../../src/build/server-bundles.ts";
import { repoRoot } from "../../src/settings.ts";

/** The bare module names a bundle imports at run time (static imports and `import()`). */
function runtimeImports(code: string): Set<string> {
  const names = new Set<string>();
  for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)"([^"./][^"]*)"/g)) {
    const specifier = match[1]!;
    const parts = specifier.split("/");
    names.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
  }
  return names;
}

describe("server bundles", () => {
  it("leave hoisted packages to node_modules and bundle in a workspace's nested copy", async () => {
    const file = await buildServerBundle("api");
    const imports = runtimeImports(fs.readFileSync(file, "utf8"));
    // Hoisted third-party packages stay external (found from the bundle's folder at run time).
    expect(imports).toContain("fastify");
    expect(imports).toContain("bullmq");
    // Today npm installs p-limit 7 under packages/passwords (the root holds eslint's p-limit
    // 3): left external, the bundle would load the root's copy, so it must be inside. Should
    // npm ever hoist it, it is an ordinary external package again.
    const nested = fs.existsSync(path.join(repoRoot, "packages/passwords/node_modules/p-limit"));
    if (nested) expect(imports).not.toContain("p-limit");
    else expect(imports).toContain("p-limit");
  });
});
