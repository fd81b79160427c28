import { NGINX_HEADER_BUFFERS } from "@strata/config";

/**
 * What nginx refuses itself, so that an instance never sees a request its own parser would
 * reject: the instance would answer and close the connection, and nginx would count the
 * closed upstream connection as the instance failing and take it out of rotation (see
 * upstream-policy.ts). Found by the bad-input sweep: `FOO /` disabled an instance for 3 s,
 * and two in a row answered every client with 502. Heads between Node's 16 KiB and nginx's
 * 32 KiB (several header lines of a few kilobytes each) would do the same.
 */

/** Request heads: nginx's budget is below the API's (@strata/config header-limits.ts). */
export const headerBufferLines: readonly string[] = [
  `large_client_header_buffers ${NGINX_HEADER_BUFFERS.count} ${NGINX_HEADER_BUFFERS.bytes / 1024}k;`,
];

/**
 * nginx forwards any method made of capital letters; Node's parser knows a fixed list and
 * closes the connection on any other. The API routes these; anything else is not a method
 * strata implements (501, the status HTTP gives an unrecognised method).
 */
export const KNOWN_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

const METHOD_UNKNOWN = "$strata_method_unknown";

/**
 * In `http {}`: 1 for a method outside the list (map keys match case-insensitively, but
 * nginx's own parser only accepts capitals, so no lowercase method gets this far). `volatile`:
 * the 501 goes to the error page by an internal redirect as a GET, which must read 0 there;
 * a cached 1 would answer the error page itself with 501, as nginx's HTML.
 */
export const methodMapLines: readonly string[] = [
  `map $request_method ${METHOD_UNKNOWN} {`,
  "    volatile;",
  ...KNOWN_METHODS.map((m) => `    ${m} 0;`),
  "    default 1;",
  "}",
];

/** In `server {}`: a return inside `if` at server level is the safe use of `if`. */
export const methodCheckLines: readonly string[] = [
  `if (${METHOD_UNKNOWN}) {`,
  "    return 501;",
  "}",
];
