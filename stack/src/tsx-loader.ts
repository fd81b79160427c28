import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/**
 * The tsx loader as a file URL, for `node --import <it> entry.ts`: child processes run our
 * TypeScript from source as one process (no tsx wrapper process in between), so the pid we
 * signal is the program itself.
 */
export const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
