import crypto from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { HttpProblem, problems } from "../http/problem.ts";
import {
  IdempotencyStore,
  type StoredResponse,
} from "../services/idempotency/idempotency-store.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Honour an `Idempotency-Key` header on this route (POSTs that create something). */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotencyClaim: {
      key: string;
      fingerprint: string;
      owner: string;
      renewal: NodeJS.Timeout;
    } | null;
  }
}

/** How long a finished response is replayed for the same key. */
const RETENTION_SECONDS = 24 * 3600;
/** Response headers a replay repeats; the rest are per response (request id, instance). */
const REPLAYED_HEADERS = ["content-type", "location", "etag"];
/** Visible ASCII, optionally as a structured-field string ("..."), as in the IETF draft. */
const KEY_SYNTAX = /^(?:"([\x21\x23-\x7e]{1,255})"|([\x21\x23-\x7e]{1,255}))$/;

/**
 * `Idempotency-Key` (IETF httpapi draft) for routes with `config: { idempotent: true }`: the
 * first request with a key runs and its response is kept in the state Redis, scoped to the
 * user, for 24 h; a retry with the same key and body gets that response again
 * (`Idempotent-Replayed: true`) and creates nothing; the same key with another body is a 422;
 * a retry while the first is still running is a 409. Responses of 5xx are not kept, so a
 * retry after a server failure runs again.
 *
 * A claim can lapse while its request still runs (its instance's event loop stalled longer
 * than IDEMPOTENCY_CLAIM_MS, or its renewals could not reach Redis); a retry may then run
 * beside it. So a route marked idempotent must also be idempotent in its own store under the
 * key: product create inserts with ON CONFLICT on the key and returns the product already made.
 *
 * Hand-written (about 350 lines with its store): the one Fastify plugin for this,
 * @node-idempotency/fastify, depends on Fastify 4 and brings its own Redis client, where ours
 * must be the fail-fast state client and keys must be scoped per user.
 */
export default fp(
  async (app) => {
    // A pending claim lives IDEMPOTENCY_CLAIM_MS (5 s) and its instance renews it every third
    // of that while the request runs, so a claim left by a crashed instance blocks its key's
    // retries for seconds (it was 2 × REQUEST_TIMEOUT_MS, a minute, before claims were renewed).
    const claimMs = app.config.http.idempotencyClaimMs;
    const store = new IdempotencyStore(app.redis.state, claimMs, RETENTION_SECONDS);
    // Renewals stop after this even if the handler still runs: the server has long cut the
    // request (REQUEST_TIMEOUT_MS), and a hung handler must not hold a key for ever.
    const renewForMs = 2 * app.config.http.requestTimeoutMs;
    app.decorateRequest("idempotencyClaim", null);

    app.addHook("preHandler", async (request: FastifyRequest, reply: FastifyReply) => {
      if (!request.routeOptions.config.idempotent) return;
      const header = request.headers["idempotency-key"];
      if (header === undefined) return;
      const match = typeof header === "string" ? KEY_SYNTAX.exec(header) : null;
      if (!match) {
        throw problems.badRequest("Idempotency-Key must be 1-255 visible ASCII characters", [
          { field: "headers.idempotency-key", message: "must be 1-255 visible ASCII characters" },
        ]);
      }
      const key = [
        "idempotency",
        request.user?.id ?? "anonymous",
        request.method,
        request.routeOptions.url,
        sha256((match[1] ?? match[2])!),
      ].join(":");
      // The validated body (schema order, trimmed): the same request sent twice hashes alike.
      const fingerprint = sha256(JSON.stringify(request.body ?? null));
      // Not the request id: X-Request-Id may come from the client.
      const owner = crypto.randomUUID();
      const found = await store.reserve(key, fingerprint, owner);
      if (found === "reserved") {
        const renewal = keepClaimed(
          store,
          { key, fingerprint, owner },
          claimMs / 3,
          renewForMs,
          request,
        );
        request.idempotencyClaim = { key, fingerprint, owner, renewal };
        return;
      }
      if (found.fingerprint !== fingerprint) {
        throw new HttpProblem({
          status: 422,
          title: "Unprocessable Content",
          detail: "this Idempotency-Key was already used with a different request body",
        });
      }
      if (found.state === "pending") {
        throw new HttpProblem(
          {
            status: 409,
            title: "Conflict",
            detail: "a request with this Idempotency-Key is still being processed; retry shortly",
          },
          { "retry-after": "1" },
        );
      }
      const { status, headers, body } = found.response;
      return reply
        .code(status)
        .headers({ ...headers, "idempotent-replayed": "true" })
        .send(body);
    });

    app.addHook("onSend", (request: FastifyRequest, reply: FastifyReply, payload, done) => {
      const claim = request.idempotencyClaim;
      // Most requests carry no key: answer them without a promise.
      if (!claim) return done(null, payload);
      request.idempotencyClaim = null;
      clearInterval(claim.renewal);
      // Both only touch the key while it holds this request's own claim (or, for complete, no
      // record): a claim that lapsed may have been taken by a retry that is still running.
      const recorded =
        reply.statusCode >= 500
          ? store.release(claim.key, claim.fingerprint, claim.owner)
          : store.complete(claim.key, claim.fingerprint, claim.owner, captured(reply, payload));
      recorded
        .then((own) => {
          // Its claim lapsed while it ran: whatever record the key holds now was left alone.
          if (!own) request.log.warn("idempotency claim had lapsed; its outcome was not recorded");
        })
        .catch(() => {
          // The write itself succeeded; a retry within the pending window gets a 409, later
          // ones run again. Logged, and the client still gets its answer.
          request.log.warn("could not record the idempotent response");
        })
        .finally(() => done(null, payload));
    });

    // A claim whose answer was never recorded (no onSend ran): stop renewing, let it lapse.
    app.addHook("onResponse", (request: FastifyRequest, _reply: FastifyReply, done) => {
      if (request.idempotencyClaim) clearInterval(request.idempotencyClaim.renewal);
      done();
    });
  },
  { name: "idempotency", dependencies: ["redis"] },
);

/**
 * Renews a claim until the request's answer is recorded (onSend stops it), the claim is no
 * longer its own, or `forMs` is over. A failed renewal is logged; the next one tries again.
 */
function keepClaimed(
  store: IdempotencyStore,
  claim: { key: string; fingerprint: string; owner: string },
  everyMs: number,
  forMs: number,
  request: FastifyRequest,
): NodeJS.Timeout {
  const until = performance.now() + forMs;
  const timer = setInterval(() => {
    if (performance.now() > until) return clearInterval(timer);
    store.renew(claim.key, claim.fingerprint, claim.owner).then(
      (owned) => {
        if (!owned) clearInterval(timer);
      },
      () => request.log.warn("could not renew an idempotency claim; it may lapse"),
    );
  }, everyMs);
  timer.unref();
  return timer;
}

function captured(reply: FastifyReply, payload: unknown): StoredResponse {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  const body =
    typeof payload === "string"
      ? payload
      : Buffer.isBuffer(payload)
        ? payload.toString("utf8")
        : "";
  return { status: reply.statusCode, headers, body };
}

function sha256(text: string): string {
  return crypto.createHash("sha256").update(text, "utf8").digest("hex");
}
