import { z } from "zod";

/**
 * Ids are JSON numbers: PostgreSQL `bigint` identities, far below 2^53 for any catalogue, so a
 * number is exact and the front end can compare them without parsing.
 */
export const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** An id in a URL path: digits only (no sign, exponent, hex or spaces), then a number. */
export const IdParam = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, "must be a positive integer id")
  .transform(Number)
  .refine(Number.isSafeInteger, "is too large");

/** Path parameters of a `/:id` route. */
export const IdParams = z.strictObject({ id: IdParam });
