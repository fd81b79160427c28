import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { envExample, withTable } from "../../../scripts/env-docs.ts";
import { describeVariables } from "../src/index.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

describe("configuration documentation", () => {
  it(".env.example is generated from the schema (npm run docs:env)", () => {
    expect(fs.readFileSync(path.join(root, ".env.example"), "utf8")).toBe(envExample());
  });

  it("the README table is generated from the schema (npm run docs:env)", async () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    expect(readme).toBe(await withTable(readme));
  });

  it("documents every variable", () => {
    for (const v of describeVariables()) expect(v.description, v.name).not.toBe("");
  });
});
