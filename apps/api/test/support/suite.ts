import { afterAll, beforeAll } from "vitest";
import type pg from "pg";
import { connect } from "./factories.ts";
import { startBackends, startTestApi, type TestApi, type TestBackends } from "./test-api.ts";

/** What a test file gets from {@link useApi}: backends of its own, an instance, a SQL client. */
export interface Suite {
  backends: TestBackends;
  api: TestApi;
  db: pg.Client;
}

/**
 * Environment of the instances these tests start: the rate limits have tests of their own
 * (apps/api/test/rate-limit) and would otherwise cut the many requests made here.
 */
export const TEST_ENV = { RATE_LIMIT_ENABLED: "false" };

/**
 * Starts a private database and Redis, one listening API instance and a SQL client for the
 * calling file, and stops them after its last test. Read the fields inside tests only.
 */
export function useApi(env: Record<string, string> = {}): Suite {
  const suite = {} as Suite;
  beforeAll(async () => {
    suite.backends = await startBackends();
    suite.api = await startTestApi(suite.backends, { ...TEST_ENV, ...env });
    suite.db = await connect(suite.backends.databaseUrl);
  });
  afterAll(async () => {
    await suite.db?.end();
    await suite.api?.close();
    await suite.backends?.stop();
  });
  return suite;
}
