import { describe, expect, it } from "vitest";
import { checkConnectionBudget, maxInstancesWithin } from "../src/connection-budget.ts";

const base = { workers: 1, poolSize: 20, poolOverflow: 10, reserve: 10, maxConnections: 200 };

describe("checkConnectionBudget", () => {
  it("accepts the default stack: (3 + 1) × 30 + 10 = 130 ≤ 200", () => {
    const budget = checkConnectionBudget({ ...base, instances: 3 });
    expect(budget).toMatchObject({ ok: true, needed: 130, maxConnections: 200 });
  });

  it("accepts an exact fit and refuses one connection more, naming the numbers", () => {
    expect(checkConnectionBudget({ ...base, instances: 3, maxConnections: 130 }).ok).toBe(true);
    const refused = checkConnectionBudget({ ...base, instances: 3, maxConnections: 129 });
    expect(refused.ok).toBe(false);
    expect(refused.message).toContain("(3 instances + 1 workers)");
    expect(refused.message).toContain("DB_POOL_SIZE 20 + DB_POOL_OVERFLOW 10");
    expect(refused.message).toContain("reserve 10 = 130 > PostgreSQL max_connections 129");
  });

  it("counts overflow connections, not only the steady pool", () => {
    expect(checkConnectionBudget({ ...base, instances: 6 }).needed).toBe(220);
    expect(checkConnectionBudget({ ...base, instances: 6 }).ok).toBe(false);
  });

  it("says how many instances fit", () => {
    expect(maxInstancesWithin(base)).toBe(5);
    expect(maxInstancesWithin({ ...base, maxConnections: 30 })).toBe(0);
  });
});
