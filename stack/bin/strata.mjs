#!/usr/bin/env node
// `npm start` / `npm run stack -- <command>`. Plain JavaScript on purpose: on a fresh clone it
// runs before any dependency (the TypeScript loader included) is installed.
//
// The TypeScript CLI runs in this same process (tsx's register API) rather than as a child:
// Ctrl-C and SIGTERM then reach exactly one process, the supervisor, with nothing to forward
// twice, and its exit code is this process's exit code.
import { ensureNodeModules } from "../../scripts/bootstrap.mjs";

ensureNodeModules();
const { register } = await import("tsx/esm/api");
register();
await import("../src/main.ts");
