import fs from "node:fs";
import path from "node:path";

/**
 * Lets a server that runs as another user (postgres, nginx's workers as nobody, PgBouncer)
 * reach `dir`: "search" (x) permission for others on every ancestor that lacks it, e.g. a
 * 0700 folder made by mkdtemp that holds a checkout. Nothing becomes readable or listable.
 */
export function allowTraversal(dir: string): void {
  for (let d = path.resolve(dir); d !== path.dirname(d); d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(d, mode | 0o001);
  }
}
