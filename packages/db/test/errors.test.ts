import { describe, expect, it } from "vitest";
import { isConnectionError, isTransientQueryError } from "../src/errors.ts";

describe("isTransientQueryError", () => {
  it("is true for failures a retry may not meet, and not for mistakes in the query", () => {
    for (const code of ["57014", "55P03", "40001", "40P01", "53300", "53200"]) {
      expect(isTransientQueryError({ code }), code).toBe(true);
    }
    for (const code of ["23505", "42P01", "22P02", "08006", undefined]) {
      expect(isTransientQueryError({ code }), String(code)).toBe(false);
    }
    expect(isTransientQueryError(undefined)).toBe(false);
  });
  it("leaves unreachable servers to isConnectionError", () => {
    expect(isConnectionError({ code: "57P01" })).toBe(true);
    expect(isTransientQueryError({ code: "57P01" })).toBe(false);
  });
});
