import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/cli/parse-command.ts";

describe("parseCommand", () => {
  it("defaults to up", () => {
    expect(parseCommand([])).toEqual({ name: "up", reset: false });
  });

  it("reads up's flags", () => {
    expect(parseCommand(["up", "--instances", "4", "--reset", "--products", "200"])).toEqual({
      name: "up",
      instances: 4,
      products: 200,
      reset: true,
    });
  });

  it("reads the operations on a running stack", () => {
    expect(parseCommand(["status"])).toEqual({ name: "status" });
    expect(parseCommand(["scale", "5"])).toEqual({ name: "scale", instances: 5 });
    expect(parseCommand(["restart"])).toEqual({ name: "restart" });
    expect(parseCommand(["down"])).toEqual({ name: "down" });
  });

  it("refuses what it does not understand", () => {
    expect(() => parseCommand(["scale"])).toThrow(/scale N/);
    expect(() => parseCommand(["scale", "0"])).toThrow(/≥ 1/);
    expect(() => parseCommand(["up", "--instances", "two"])).toThrow(/whole number/);
    expect(() => parseCommand(["status", "--reset"])).toThrow(/belong to "up"/);
    expect(() => parseCommand(["launch"])).toThrow(/unknown command/);
    expect(() => parseCommand(["--bogus"])).toThrow();
  });
});
