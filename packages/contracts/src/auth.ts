import { z } from "zod";
import { User } from "./user.ts";

/** Emails are trimmed and lower-cased before anything else sees them: one account per address. */
export const Email = z.string().trim().toLowerCase().pipe(z.email().max(254));

// Two passwords differing only in a lone surrogate would hash alike (both become U+FFFD).
function isWellFormed(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

/** Password policy for new accounts: 12..128 characters (NIST SP 800-63B), nothing else. */
export const NewPassword = z
  .string()
  .min(12, "must be at least 12 characters")
  .max(128, "must be at most 128 characters")
  .refine(isWellFormed, "must be valid Unicode text");

export const RegisterRequest = z
  .strictObject({ email: Email, password: NewPassword })
  .meta({ id: "RegisterRequest" });

/**
 * Login does not restate the password policy (a policy change must not lock anyone out); the
 * upper bound only keeps hashing cost bounded.
 */
export const LoginRequest = z
  .strictObject({
    email: Email,
    password: z.string().min(1).max(128).refine(isWellFormed, "must be valid Unicode text"),
  })
  .meta({ id: "LoginRequest" });

export const Session = z
  .object({
    user: User,
    token: z
      .string()
      .describe(
        "the session token, also set as an HttpOnly cookie; API clients send it as `Authorization: Bearer <token>`",
      ),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: "Session" });

export type RegisterRequest = z.infer<typeof RegisterRequest>;
export type LoginRequest = z.infer<typeof LoginRequest>;
export type Session = z.infer<typeof Session>;
