import { describe, expect, it } from "vitest";
import { ApiError } from "../src/api/api-error.ts";
import { problemMessage } from "../src/api/problem-message.ts";

const problem = (status: number, extra: object = {}) => ({
  type: "about:blank",
  status,
  title: "x",
  ...extra,
});

describe("problemMessage", () => {
  it("says in words what a status means, or what the page says for it", () => {
    expect(problemMessage(new ApiError(0, undefined))).toMatch(/cannot be reached/);
    expect(problemMessage(new ApiError(401, problem(401)), { 401: "Wrong password." })).toBe(
      "Wrong password.",
    );
    expect(problemMessage(new ApiError(503, problem(503), 5))).toMatch(/wait 5 seconds/);
  });

  it("lists each bad field of a validation error", () => {
    const error = new ApiError(
      400,
      problem(400, { errors: [{ field: "body.name", message: "is too long" }] }),
    );
    expect(problemMessage(error)).toContain("name is too long");
    expect(error.fieldErrors()).toEqual({ name: "is too long" });
  });
});
