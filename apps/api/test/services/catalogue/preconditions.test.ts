import { describe, expect, test } from "vitest";
import type { HttpProblem } from "../../../src/http/problem.ts";
import {
  expectedVersionForUpdate,
  parseIfMatch,
} from "../../../src/services/catalogue/preconditions.ts";

const statusOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as HttpProblem).problem.status;
  }
  return undefined;
};

describe("If-Match", () => {
  test("* and lists of strong version tags", () => {
    expect(parseIfMatch("*")).toBe("any");
    expect(parseIfMatch('"3"')).toEqual({ versions: [3] });
    expect(parseIfMatch(' "3" , "5"')).toEqual({ versions: [3, 5] });
    expect(parseIfMatch('"7-5d41402abc4b2a76"')).toEqual({ versions: [7] });
  });

  test("weak or foreign tags match nothing (a 412 follows), malformed ones are a 400", () => {
    expect(parseIfMatch('W/"3"')).toEqual({ versions: [] });
    expect(parseIfMatch('"abc", "0"')).toEqual({ versions: [] });
    for (const header of ["3", '"3', "", '"3" "4"', "W/3"]) {
      expect(
        statusOf(() => parseIfMatch(header)),
        header,
      ).toBe(400);
    }
  });

  test("the version comes from If-Match or the body; neither is a 428", () => {
    expect(expectedVersionForUpdate(undefined, 4)).toEqual({ versions: [4] });
    expect(expectedVersionForUpdate('"4"', 4)).toEqual({ versions: [4] });
    expect(statusOf(() => expectedVersionForUpdate('"4"', 5))).toBe(400);
    expect(statusOf(() => expectedVersionForUpdate("*", 5))).toBe(400);
    expect(statusOf(() => expectedVersionForUpdate(undefined, undefined))).toBe(428);
  });
});
