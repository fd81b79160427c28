import { isUtf8 } from "node:buffer";
import type { FastifyInstance } from "fastify";
import { parseJsonOrUndefined } from "../services/safe-json.ts";
import { HttpProblem, problems } from "./problem.ts";

const POISONING = "the body may not contain a __proto__ or constructor.prototype key";

const unsupported = (detail: string) =>
  new HttpProblem({ status: 415, title: "Unsupported Media Type", detail });

/**
 * Request bodies the API reads as JSON: UTF-8 bytes, uncompressed, parsed by Fastify's own
 * parser (secure-json-parse, which refuses `__proto__` and `constructor.prototype`).
 *
 * Fastify's default decodes the body as UTF-8 and turns each invalid byte into U+FFFD, which
 * a create would then store: `{"name":"caf\xe9"}` (Latin-1) became "caf\uFFFD". Bytes that
 * are not UTF-8 are a 400 here. A charset other than UTF-8 and any Content-Encoding are 415s,
 * since neither is decoded (RFC 8259 JSON is UTF-8; RFC 7694 names 415 for an encoding).
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseText = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    // Checked here, where a body is being read, not in a hook every request would pay for.
    const encoding = request.headers["content-encoding"];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") {
      done(
        unsupported(`Content-Encoding ${encoding} is not accepted; send the body uncompressed`),
        undefined,
      );
      return;
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers["content-type"] ?? "");
    if (charset && !/^utf-?8$/i.test(charset[1]!)) {
      done(unsupported(`the body must be UTF-8 JSON, not ${charset[1]}`), undefined);
      return;
    }
    if (!isUtf8(body as Buffer)) {
      done(
        problems.badRequest("the body is not UTF-8 text; send JSON encoded as UTF-8"),
        undefined,
      );
      return;
    }
    const text = (body as Buffer).toString("utf8");
    parseText(request, text, (error, value) => {
      // Fastify's parser says only "not valid JSON"; when plain JSON.parse accepts the text,
      // what was refused is a __proto__ or constructor.prototype key, and the client is told.
      if (error && (error as { code?: string }).code === "FST_ERR_CTP_INVALID_JSON_BODY") {
        if (parseJsonOrUndefined(text) !== undefined) {
          done(problems.badRequest(POISONING), undefined);
          return;
        }
      }
      done(error, value);
    });
  });
}
