import { startRedis } from "@strata/local-servers";
import type { DataLayout } from "../data-layout.ts";
import type { Supervisor } from "../process/supervisor.ts";
import type { StackSettings } from "../settings.ts";

export interface RedisService {
  stateUrl: string;
  cacheUrl: string;
  external: boolean;
}

/**
 * Uses REDIS_STATE_URL (and REDIS_CACHE_URL, else the same server) when set. Otherwise two
 * private servers: "state" (noeviction, append-only file: sessions, counters and queues
 * survive a restart) and "cache" (allkeys-lru under a memory cap, nothing on disk: a cold
 * cache after a restart is correct, only slower).
 */
export async function provideRedis(
  settings: StackSettings,
  layout: DataLayout,
  supervisor: Supervisor,
): Promise<RedisService> {
  if (settings.redis.stateUrl) {
    return {
      stateUrl: settings.redis.stateUrl,
      cacheUrl: settings.redis.cacheUrl ?? settings.redis.stateUrl,
      external: true,
    };
  }
  const [state, cache] = await Promise.all([
    startRedis({ dataDir: layout.redisState, maxmemoryPolicy: "noeviction", persistent: true }),
    startRedis({
      dataDir: layout.redisCache,
      maxmemoryPolicy: "allkeys-lru",
      maxmemory: settings.redis.cacheMaxmemory,
      persistent: false,
    }),
  ]);
  for (const [name, server] of [
    ["redis-state", state],
    ["redis-cache", cache],
  ] as const) {
    supervisor.add({
      name,
      role: "redis",
      address: `127.0.0.1:${server.port}`,
      logFile: server.process.logFile,
      process: server.process,
      stop: server.stop,
      stopSignal: "SIGTERM",
      stopTimeoutMs: 15_000,
    });
  }
  return { stateUrl: state.url, cacheUrl: cache.url, external: false };
}
