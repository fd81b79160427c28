import { z } from "zod";

// PostgreSQL text cannot hold NUL (a query with one fails with 22021), and control characters
// in a product name only ever come from a mistake or an attack: refuse them at the edge.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- as above
const MULTI_LINE_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

// A lone UTF-16 surrogate is not text: PostgreSQL would store U+FFFD in its place.
const LONE_SURROGATE = /\p{Cs}/u;

/** A trimmed single-line string of `min`..`max` characters without control characters. */
export function singleLine(min: number, max: number) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((s) => !SINGLE_LINE_FORBIDDEN.test(s), "must not contain control characters")
    .refine((s) => !LONE_SURROGATE.test(s), "must be valid Unicode text");
}

/** Free text up to `max` characters; tabs and line breaks allowed, other control characters not. */
export function multiLine(max: number) {
  return z
    .string()
    .max(max)
    .refine((s) => !MULTI_LINE_FORBIDDEN.test(s), "must not contain control characters")
    .refine((s) => !LONE_SURROGATE.test(s), "must be valid Unicode text");
}
