import fs from "node:fs";

export interface AccessEntry {
  time: string;
  method: string;
  uri: string;
  status: number;
  cache_status: string;
}

/** nginx's JSON access log: one object per request, written as each response ends. */
export function readAccessLog(file: string): AccessEntry[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as AccessEntry);
}

/** Lines written after `mark` (a line count taken earlier). */
export function entriesSince(file: string, mark: number): AccessEntry[] {
  return readAccessLog(file).slice(mark);
}

export const lineCount = (file: string) => readAccessLog(file).length;
