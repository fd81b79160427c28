import { z } from "zod";

/** Helpers that turn environment strings into typed values with readable errors. */

/**
 * Digits only, as people write numbers in settings: Number() alone would also take "0x4000",
 * "1e4" and " 8080 ", and a typo would pass as some other number.
 */
const digitsOnly = (value: unknown) =>
  typeof value === "string" && !/^-?\d+$/.test(value) ? Number.NaN : value;

const wholeNumber = (min: number, max: number, maxMessage = `must be at most ${max}`) =>
  z.preprocess(
    digitsOnly,
    z.coerce
      .number({ error: "must be a whole number written in digits" })
      .int("must be a whole number")
      .min(min, `must be at least ${min}`)
      .max(max, maxMessage),
  );

export const int = (min: number, max: number = Number.MAX_SAFE_INTEGER) => wholeNumber(min, max);

export const port = int(1, 65535);

/**
 * The longest delay Node's timers accept (2^31 - 1 ms, about 24.8 days). A longer one is not
 * refused by Node: it prints a TimeoutOverflowWarning and fires after 1 ms, so a drain delay of
 * 99999999999 drained for no time at all.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** A duration in milliseconds that a timer will be set to. */
export const ms = (min: number) =>
  wholeNumber(
    min,
    MAX_TIMER_MS,
    `must be at most ${MAX_TIMER_MS} (about 24.8 days, the longest timer)`,
  );

export const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

export const list = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

export const url = (protocols: string[]) =>
  z
    .string({ error: "is required" })
    .min(1, "is required")
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol.replace(/:$/, ""));
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((p) => `${p}://`).join(" or ")}`,
    );
