import { parseList, type Item } from "structured-headers";

/** One member of a parsed RateLimit or RateLimit-Policy field. */
export interface ParsedLimit {
  name: string;
  params: Record<string, unknown>;
}

/**
 * Parses a RateLimit / RateLimit-Policy field with an RFC 9651 parser, so the tests check
 * the syntax independently of how the server wrote it. Throws on a malformed field.
 */
export function parseLimitField(value: string | null | undefined): ParsedLimit[] {
  if (value === null || value === undefined) throw new Error("header missing");
  return parseList(value).map((member) => {
    const [bare, params] = member as Item;
    if (typeof bare !== "string") throw new Error(`policy name must be a String: ${value}`);
    return { name: bare, params: Object.fromEntries(params) };
  });
}

/** The `r` (remaining) of one policy in a RateLimit field. */
export function remainingOf(value: string | null | undefined, name: string): number {
  const found = parseLimitField(value).find((p) => p.name === name);
  if (!found) throw new Error(`no ${name} in ${value}`);
  return found.params.r as number;
}
