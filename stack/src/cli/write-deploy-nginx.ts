import fs from "node:fs";
import path from "node:path";
import { deployNginxFile, renderDeployNginxConfig } from "../nginx/deploy-nginx-file.ts";

/** `npm run deploy:nginx`: rewrites deploy/nginx/strata.conf from the generator. */
fs.mkdirSync(path.dirname(deployNginxFile), { recursive: true });
fs.writeFileSync(deployNginxFile, renderDeployNginxConfig());
console.log(`wrote ${path.relative(process.cwd(), deployNginxFile)}`);
