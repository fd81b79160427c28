import type { FastifyInstance } from "fastify";
import type { Readiness } from "../lifecycle/readiness.ts";
import type { createDatabaseProbe } from "../lifecycle/database-probe.ts";

interface Check {
  componentType: string;
  status: "pass" | "warn" | "fail";
  time: string;
  observedValue?: number;
  observedUnit?: string;
  output?: string;
}

/** Runs `probe`, giving up after `ms`: a check never waits behind a stuck dependency. */
async function timed(
  probe: () => Promise<unknown>,
  ms: number,
): Promise<{ ok: boolean; ms: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      ok: false,
      ms: Math.round(performance.now() - started),
      error: (error as Error).message,
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/health` is liveness: it checks nothing outside the process, so a database outage does not
 * make an orchestrator restart every instance. `/ready` is readiness (application/health+json):
 * 503 while starting or draining or when PostgreSQL is unreachable; a lost Redis is `warn`
 * and still 200, because the instance can serve reads without it.
 */
export default async function healthRoutes(
  app: FastifyInstance,
  {
    readiness,
    databaseProbe,
    checkTimeoutMs,
  }: {
    readiness: Readiness;
    databaseProbe: ReturnType<typeof createDatabaseProbe>;
    checkTimeoutMs: number;
  },
): Promise<void> {
  const noStore = { "cache-control": "no-store" };

  app.get("/health", { schema: { hide: true } }, async (_request, reply) => {
    reply.headers(noStore).type("application/health+json");
    return { status: "pass", phase: readiness.phase };
  });

  app.get("/ready", { schema: { hide: true } }, async (_request, reply) => {
    const now = new Date().toISOString();
    const [database, stateRedis, cacheRedis] = await Promise.all([
      timed(databaseProbe.check, checkTimeoutMs),
      timed(() => app.redis.state.ping(), checkTimeoutMs),
      timed(() => app.redis.cache.ping(), checkTimeoutMs),
    ]);
    const checks: Record<string, Check[]> = {
      "postgresql:responseTime": [check("datastore", database, "fail", now)],
      "redis-state:responseTime": [check("datastore", stateRedis, "warn", now)],
      "redis-cache:responseTime": [check("datastore", cacheRedis, "warn", now)],
      "process:phase": [
        {
          componentType: "system",
          status: readiness.phase === "serving" ? "pass" : "fail",
          time: now,
          output: readiness.phase,
        },
      ],
    };
    const statuses = Object.values(checks)
      .flat()
      .map((c) => c.status);
    const status = statuses.includes("fail") ? "fail" : statuses.includes("warn") ? "warn" : "pass";
    reply
      .code(status === "fail" ? 503 : 200)
      .headers(noStore)
      .type("application/health+json");
    return { status, phase: readiness.phase, checks };
  });
}

function check(
  componentType: string,
  result: { ok: boolean; ms: number; error?: string },
  failure: "warn" | "fail",
  time: string,
): Check {
  return {
    componentType,
    status: result.ok ? "pass" : failure,
    time,
    observedValue: result.ms,
    observedUnit: "ms",
    ...(result.error ? { output: result.error } : {}),
  };
}
