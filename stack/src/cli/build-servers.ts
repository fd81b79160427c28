import path from "node:path";
import { buildServerBundle, serverBundles, type ServerName } from "../build/server-bundles.ts";

/**
 * `npm run build:servers [api|worker ...]`: writes the bundles the stack and the container
 * images run (apps/api/dist/server.mjs, apps/worker/dist/main.mjs). The stack builds them
 * itself at start; the Dockerfiles call this.
 */
const known = Object.keys(serverBundles) as ServerName[];
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !known.includes(name as ServerName));
if (unknown.length > 0) {
  console.error(`unknown server ${unknown.join(", ")}: choose from ${known.join(", ")}`);
  process.exit(2);
}
for (const name of asked.length > 0 ? (asked as ServerName[]) : known) {
  const file = await buildServerBundle(name);
  console.log(`built ${path.relative(process.cwd(), file)}`);
}
