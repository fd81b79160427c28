import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import prettier from "prettier";
import { describeVariables } from "@strata/config";

/**
 * Writes `.env.example` and the README's variable table from the config schema, so the
 * documentation cannot drift from the code. `--check` fails instead of writing.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const docs = describeVariables();

export function envExample(): string {
  const lines = [
    "# strata configuration. Generated from packages/config/src/variables.ts by `npm run docs:env`.",
    "# Required variables are uncommented; the others show their default.",
    "# `npm start` sets all of these for the processes it runs; set them yourself elsewhere.",
  ];
  let group = "";
  for (const v of docs) {
    if (v.group !== group) {
      lines.push("", `# --- ${v.group}`);
      group = v.group;
    }
    lines.push(`# ${v.description}`);
    if (v.required) lines.push(`${v.name}=`);
    else lines.push(`# ${v.name}=${v.default ?? ""}`);
  }
  return `${lines.join("\n")}\n`;
}

export function readmeTable(): string {
  const rows = docs.map(
    (v) =>
      `| \`${v.name}\` | ${v.required ? "**required**" : v.default === undefined ? "unset" : `\`${v.default}\``} | ${v.description.replace(/\|/g, "\\|")} |`,
  );
  return ["| variable | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

const BEGIN = "<!-- env:begin -->";
const END = "<!-- env:end -->";

/** The README with its variable table regenerated, formatted as `prettier --check` expects. */
export async function withTable(readme: string): Promise<string> {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${BEGIN} ... ${END} markers`);
  const text = `${readme.slice(0, start + BEGIN.length)}\n\n${readmeTable()}\n\n${readme.slice(end)}`;
  const options = await prettier.resolveConfig(path.join(root, "README.md"));
  return prettier.format(text, { ...options, parser: "markdown" });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes("--check");
  const targets: [string, string][] = [
    [path.join(root, ".env.example"), envExample()],
    [
      path.join(root, "README.md"),
      await withTable(fs.readFileSync(path.join(root, "README.md"), "utf8")),
    ],
  ];
  let stale = false;
  for (const [file, content] of targets) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (current === content) continue;
    if (check) {
      console.error(`${path.relative(root, file)} is out of date: run npm run docs:env`);
      stale = true;
    } else fs.writeFileSync(file, content);
  }
  if (stale) process.exit(1);
}
