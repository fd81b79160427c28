import { beforeAll, describe, expect, test } from "vitest";
import { OpsOverview } from "@strata/contracts";
import { loggedIn } from "../../support/factories.ts";
import { call, expectProblem } from "../../support/http.ts";
import { useApi } from "../../support/suite.ts";

const s = useApi();
let admin: { token: string };
let customer: { token: string };

beforeAll(async () => {
  admin = await loggedIn(s.db, s.api, "admin");
  customer = await loggedIn(s.db, s.api);
});

describe("GET /api/ops/overview", () => {
  test("admins get instances, queues and problems in one private answer", async () => {
    const response = await call(s.api.url, "GET", "/api/ops/overview", { token: admin.token });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const overview = OpsOverview.parse(response.body);
    expect(overview.instances.length).toBeGreaterThanOrEqual(1);
    expect(overview.queues.map((q) => q.name).sort()).toEqual([
      "imports",
      "maintenance",
      "thumbnails",
    ]);
    // No OPS_NGINX_ACCESS_LOG here: the nginx tier is absent, not an error.
    expect(overview.nginx).toBeNull();
  });

  test("customers get a 403, anonymous callers a 401", async () => {
    expectProblem(
      await call(s.api.url, "GET", "/api/ops/overview", { token: customer.token }),
      403,
    );
    expectProblem(await call(s.api.url, "GET", "/api/ops/overview"), 401);
  });
});
