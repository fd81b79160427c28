import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import {
  cacheControl,
  cacheTagHeader,
  cdnCacheControl,
  notFoundPolicy,
  type PublicPolicy,
} from "@strata/cache-policy";
import { nextTurn } from "./next-turn.ts";
import { HttpProblem, sendProblem } from "./problem.ts";

export interface CachedResponse<T> {
  /** Canonical key: the route plus its normalised parameters. */
  key: string;
  tags: string[];
  policy: PublicPolicy;
  /** Reads from PostgreSQL; the result is serialised once and cached as text. */
  load: () => Promise<T>;
  /** The response schema: the body is checked against it once, when the entry is built. */
  schema: z.ZodType<T>;
  /** Leads the ETag, e.g. the product version, so If-Match can name what was read. */
  etagPrefix?: (value: T) => string;
}

/** Each policy's two header values, derived once rather than on every hit. */
const policyHeaders = new WeakMap<
  PublicPolicy,
  { cacheControl: string; cdnCacheControl: string }
>();
function headersOf(policy: PublicPolicy) {
  let headers = policyHeaders.get(policy);
  if (!headers) {
    headers = { cacheControl: cacheControl(policy), cdnCacheControl: cdnCacheControl(policy) };
    policyHeaders.set(policy, headers);
  }
  return headers;
}

/**
 * Answers a public read through the application cache, with every header derived from the
 * route's one policy: Cache-Control (browser, nginx), CDN-Cache-Control, Cache-Tag for CDN
 * purges, a strong ETag (304 on If-None-Match) and X-App-Cache. No Vary: the body is the same
 * for every client, and nginx compresses (and adds Vary: Accept-Encoding) itself, keeping one
 * cache entry per URL.
 */
export async function sendCached<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  response: CachedResponse<T>,
): Promise<void> {
  let cached;
  try {
    cached = await request.server.appCache.get({
      key: response.key,
      tags: response.tags,
      policy: response.policy,
      load: async () => {
        // Checked against the contract once per fill, since hits skip Fastify's serializer.
        const value = response.schema.parse(await response.load());
        return {
          body: JSON.stringify(value),
          ...(response.etagPrefix ? { etagPrefix: response.etagPrefix(value) } : {}),
        };
      },
    });
  } catch (error) {
    if (!(error instanceof HttpProblem) || error.problem.status !== 404) throw error;
    // Cacheable for the route's freshness, so a refresh after a delete replaces a stored 200.
    const policy = notFoundPolicy(response.policy);
    recordForNginx(request, response.tags, policy);
    reply
      .header("cdn-cache-control", cdnCacheControl(policy))
      .header("cache-tag", cacheTagHeader(response.tags));
    await sendProblem(reply, error.problem, policy);
    return;
  }
  const { entry, source } = cached;
  if (source === "L1") await nextTurn();
  recordForNginx(request, response.tags, response.policy);
  const headers = headersOf(response.policy);
  reply
    .header("cache-control", headers.cacheControl)
    .header("cdn-cache-control", headers.cdnCacheControl)
    .header("cache-tag", cacheTagHeader(response.tags))
    .header("etag", entry.etag)
    .header("x-app-cache", source);
  if (matchesEtag(request.headers["if-none-match"], entry.etag)) {
    await reply.code(304).send();
    return;
  }
  // Already serialised (and encoded, from L1), checked against the schema when it was built.
  await reply
    .type("application/json; charset=utf-8")
    .serializer((body) => body as string)
    .send(entry.body);
}

/** RFC 9110 If-None-Match: a list of entity tags, or `*`; weak comparison. */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((candidate) => candidate.trim().replace(/^W\//, "") === bare);
}

/** nginx fetched this and may keep it: remember the URL under its tags for refreshes. */
function recordForNginx(request: FastifyRequest, tags: string[], policy: PublicPolicy): void {
  if (!nginxMayStore(request)) return;
  const ttl = policy.fresh + Math.max(policy.staleWhileRevalidate, policy.staleIfError);
  request.server.nginxPurger.record(tags, request.url, ttl).catch(() => {});
}

/**
 * True when the request came through nginx and nginx may store the answer: nginx bypasses its
 * cache for requests with credentials, so recording those would only cost a Redis write each.
 */
function nginxMayStore(request: FastifyRequest): boolean {
  if (!request.server.nginxPurger.enabled || request.headers["x-forwarded-for"] === undefined)
    return false;
  if (request.headers.authorization !== undefined) return false;
  const cookie = request.headers.cookie;
  return !cookie || !cookie.includes(`${request.server.config.session.cookieName}=`);
}
