import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/cli/parse-command.ts";
import { checkConnectionBudget } from "../../src/connection-budget.ts";
import { loadStackSettings } from "../../src/settings.ts";

describe("npm start -- --pgbouncer", () => {
  it("is a flag of up only", () => {
    expect(parseCommand(["up", "--pgbouncer"])).toEqual({
      name: "up",
      reset: false,
      pgbouncer: true,
    });
    expect(parseCommand(["--pgbouncer"])).toMatchObject({ name: "up", pgbouncer: true });
    expect(() => parseCommand(["status", "--pgbouncer"])).toThrow(/belong to "up"/);
    expect(loadStackSettings({}, { pgbouncer: true }).pgbouncer).toBe(true);
    expect(loadStackSettings({}).pgbouncer).toBe(false);
  });

  it("budgets the pools against PgBouncer's client limit, and says so", () => {
    const budget = checkConnectionBudget({
      instances: 10,
      workers: 1,
      poolSize: 20,
      poolOverflow: 10,
      reserve: 10,
      maxConnections: 1000,
      limitName: "PgBouncer max_client_conn",
    });
    expect(budget.ok).toBe(true);
    expect(budget.message).toContain("= 340 ≤ PgBouncer max_client_conn 1000");
  });
});
