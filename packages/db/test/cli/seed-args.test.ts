import { describe, expect, it } from "vitest";
import { parseSeedArgs, UsageError } from "../../src/cli/seed-args.ts";

describe("parseSeedArgs", () => {
  it("defaults to 10,000 products, no reset, the default seed", () => {
    expect(parseSeedArgs([])).toEqual({
      help: false,
      products: 10_000,
      reset: false,
      seed: "strata",
    });
  });

  it("reads every flag, in both spellings", () => {
    expect(parseSeedArgs(["--products", "1_000_000", "--reset", "--seed=x"])).toMatchObject({
      products: 1_000_000,
      reset: true,
      seed: "x",
    });
    expect(parseSeedArgs(["--products=1,000"]).products).toBe(1_000);
  });

  it.each([
    [["--products", "abc"], /whole number/],
    [["--products", "-5"], /ambiguous/],
    [["--products=-5"], /whole number/],
    [["--products", "1e6"], /whole number/],
    [["--products", "20000000"], /at most/],
    [["--products"], /argument missing/],
    [["--bogus"], /Unknown option/],
    [["stray"], /Unexpected argument/],
    [["--reset=yes"], /does not take an argument/],
  ])("rejects %j with a UsageError", (argv, message) => {
    expect(() => parseSeedArgs(argv)).toThrow(UsageError);
    expect(() => parseSeedArgs(argv)).toThrow(message);
  });
});
