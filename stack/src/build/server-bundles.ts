import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { repoRoot } from "../settings.ts";

/**
 * The programs the stack runs, and production images ship, as one JavaScript file each: our
 * TypeScript (every @strata package) bundled by esbuild, third-party packages left to
 * node_modules. Running from source through tsx cost ~35 MB of resident memory per process
 * (its loader thread, transpiled modules and source maps) and a transpile at every start.
 */
export const serverBundles = {
  api: { entry: "apps/api/src/server.ts", outfile: "apps/api/dist/server.mjs" },
  worker: { entry: "apps/worker/src/main.ts", outfile: "apps/worker/dist/main.mjs" },
} as const;

export type ServerName = keyof typeof serverBundles;

/**
 * The API's V8 old-space limit. Left to itself V8 sizes the heap from the machine's memory and
 * collects lazily: an instance under a miss storm reached 371 MB resident (204 MB with this
 * limit) though its live data (the modules and in-flight requests; L1's bodies are Buffers,
 * outside this space) is well under it.
 */
export const API_HEAP_LIMIT_MB = 128;

/**
 * The API's largest young-generation semi-space. V8 grows it to 16 MB under load, and holds
 * two, so 32 MB of resident memory went to short-lived garbage; at 8 MB an instance's peak
 * under the bench's miss storm fell by ~15 MB, and L1-hit throughput moved less than the
 * machine's noise (docs/performance.md).
 */
export const API_SEMI_SPACE_MB = 8;

/**
 * Node's flags for a server's bundle: stack traces point into the TypeScript sources; the API
 * gets its heap bounds.
 */
export const serverNodeFlags = (name: ServerName): string[] => [
  "--enable-source-maps",
  ...(name === "api"
    ? [`--max-old-space-size=${API_HEAP_LIMIT_MB}`, `--max-semi-space-size=${API_SEMI_SPACE_MB}`]
    : []),
];

/** Node's arguments to run a bundle: its flags, then the file. */
export const bundleNodeArgs = (file: string, name: ServerName): string[] => [
  ...serverNodeFlags(name),
  file,
];

/**
 * Every dependency of a workspace that is not one of ours: left out of the bundles, and found
 * at run time from the bundle's folder, which reaches only the root node_modules. A
 * dependency npm had to install inside the workspace instead (another package pins the
 * root's copy to a different major, as eslint does p-limit's) would resolve to the wrong
 * version there, so those are bundled in from the workspace's own copy.
 */
function thirdPartyPackages(): string[] {
  const names = new Set<string>();
  const nested = new Set<string>();
  for (const folder of ["apps", "packages"]) {
    for (const name of fs.readdirSync(path.join(repoRoot, folder))) {
      const workspace = path.join(repoRoot, folder, name);
      const manifest = path.join(workspace, "package.json");
      if (!fs.existsSync(manifest)) continue;
      const { dependencies = {} } = JSON.parse(fs.readFileSync(manifest, "utf8")) as {
        dependencies?: Record<string, string>;
      };
      for (const dependency of Object.keys(dependencies)) {
        if (dependency.startsWith("@strata/")) continue;
        const inside = fs.existsSync(path.join(workspace, "node_modules", dependency));
        (inside ? nested : names).add(dependency);
      }
    }
  }
  for (const name of nested) names.delete(name);
  return [...names].flatMap((name) => [name, `${name}/*`]);
}

const built = new Map<ServerName, Promise<string>>();

/**
 * Builds a server's bundle (once per process; under a second) and returns its path. The file
 * is written beside its final name and renamed, so a process starting from it never reads a
 * half-written bundle while another test file builds the same one.
 */
export function buildServerBundle(name: ServerName): Promise<string> {
  let pending = built.get(name);
  if (!pending) {
    pending = buildOnce(name);
    built.set(name, pending);
    pending.catch(() => built.delete(name));
  }
  return pending;
}

async function buildOnce(name: ServerName): Promise<string> {
  const { entry, outfile } = serverBundles[name];
  const target = path.join(repoRoot, outfile);
  const temporary = `${target}.${process.pid}.tmp`;
  await build({
    entryPoints: [path.join(repoRoot, entry)],
    outfile: temporary,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: thirdPartyPackages(),
    sourcemap: "linked",
    logLevel: "silent",
  });
  // The map's name follows the bundle's; point the bundle's comment at the final map.
  const code = fs
    .readFileSync(temporary, "utf8")
    .replace(
      `sourceMappingURL=${path.basename(temporary)}.map`,
      `sourceMappingURL=${path.basename(target)}.map`,
    );
  fs.writeFileSync(temporary, code);
  fs.renameSync(`${temporary}.map`, `${target}.map`);
  fs.renameSync(temporary, target);
  return target;
}
