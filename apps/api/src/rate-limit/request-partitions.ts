import crypto from "node:crypto";
import type { FastifyRequest } from "fastify";
import { Email } from "@strata/contracts";
import { clientKey } from "../http/client-address.ts";
import type { LimitRule, RateLimitPolicy } from "./policies.ts";

/** A rule and the partition (the part of the Redis key after the rule's prefix) it counts. */
export interface RulePartition {
  rule: LimitRule;
  partition: string;
}

/**
 * The partitions a request counts in, one per rule of its policy. `request.ip` is already
 * the socket address, or nginx's X-Forwarded-For when the peer is a trusted proxy
 * (app.ts), so no header a client sends can choose its bucket. A login without a usable
 * email has no account partition; it still counts against its address.
 */
export function partitionsFor(policy: RateLimitPolicy, request: FastifyRequest): RulePartition[] {
  const address = `a:${clientKey(request.ip)}`;
  const found: RulePartition[] = [];
  for (const rule of policy.rules) {
    if (rule.partition === "address") found.push({ rule, partition: address });
    if (rule.partition === "user") {
      const id = signedInUserId(request);
      found.push({ rule, partition: id === undefined ? address : `u:${id}` });
    }
    if (rule.partition === "account") {
      const account = accountPartition(request.body);
      if (account) found.push({ rule, partition: account });
    }
  }
  return found;
}

/**
 * `e:` and a hash of the normalised email (trimmed, lower-cased: the same rule the account
 * lookup uses, so "Bob@x " and "bob@x" share a bucket). Hashed so that no email appears in
 * a Redis key name (SCAN, MONITOR and slow logs show those), and key length stays bounded.
 */
export function accountPartition(body: unknown): string | undefined {
  const raw = (body as { email?: unknown } | null | undefined)?.email;
  const email = Email.safeParse(raw);
  if (!email.success) return undefined;
  const digest = crypto.createHash("sha256").update(email.data).digest("base64url");
  return `e:${digest.slice(0, 22)}`;
}

/** The id `authenticate` put on the request; undefined on routes without a session. */
function signedInUserId(request: FastifyRequest): string | undefined {
  const id = request.user?.id;
  return id === undefined ? undefined : String(id);
}
