import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root and deploy/, for tests that read the deployment files. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const deployDir = path.join(repoRoot, "deploy");
export const fromRoot = (...parts: string[]) => path.join(repoRoot, ...parts);
