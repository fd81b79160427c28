import { HttpProblem, problems } from "../../http/problem.ts";
import type { ExpectedVersion } from "./product-repository.ts";

const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e]*)"$/;

/**
 * Parses `If-Match` (RFC 9110 §13.1.1): `*` or a list of entity tags. Our tags are the
 * product version in quotes (`"3"`), or lead with it (`"3-<digest>"`, the form a cached read's
 * ETag may take): the version alone decides, since it changes with every write. Comparison is strong, so weak tags (`W/"3"`) and tags
 * that are not versions can never match: they are kept out of the list, which then leads to
 * a 412 with the current version, exactly as the RFC asks. Malformed syntax is a 400.
 */
export function parseIfMatch(header: string): ExpectedVersion {
  if (header.trim() === "*") return "any";
  const versions: number[] = [];
  for (const part of header.split(",")) {
    const match = ENTITY_TAG.exec(part.trim());
    if (!match) {
      throw problems.badRequest('If-Match must be * or entity tags such as "3"', [
        { field: "headers.if-match", message: 'must be * or a list of "<version>" tags' },
      ]);
    }
    const version = /^([1-9][0-9]{0,9})(?:-.*)?$/.exec(match[2]!);
    if (!match[1] && version) versions.push(Number(version[1]));
  }
  return { versions };
}

/**
 * The version an update must match: from `If-Match`, else from the body's `version`. Both
 * may be sent if they agree. Neither is a 428: a blind overwrite is exactly the lost update
 * optimistic concurrency exists to prevent.
 */
export function expectedVersionForUpdate(
  ifMatch: string | undefined,
  bodyVersion: number | undefined,
): ExpectedVersion {
  if (ifMatch !== undefined) {
    const expected = parseIfMatch(ifMatch);
    if (
      bodyVersion !== undefined &&
      (expected === "any" || !expected.versions.includes(bodyVersion))
    ) {
      throw problems.badRequest("If-Match and the body's version disagree; send one of them", [
        { field: "body.version", message: "does not match If-Match" },
      ]);
    }
    return expected;
  }
  if (bodyVersion !== undefined) return { versions: [bodyVersion] };
  throw new HttpProblem({
    status: 428,
    title: "Precondition Required",
    detail: 'send the version you read, as If-Match: "<version>" or "version" in the body',
  });
}
