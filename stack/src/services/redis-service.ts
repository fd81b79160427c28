import { startRedis } from "@strata/local-servers";
import type { DataLayout } from "../data-layout.ts";
import type { Supervisor } from "../process/supervisor.ts";
import type { StackSettings } from "../settings.ts";
import { reach, tcpReachable } from "./external-services.ts";

export interface RedisService {
  stateUrl: string;
  cacheUrl: string;
  external: boolean;
  /**
   * Private servers only: starts one again on the same port and data folder (so every URL
   * stays valid) after the supervisor stopped it, for failure drills.
   */
  startAgain?: (name: RedisServerName) => Promise<void>;
}

export type RedisServerName = "redis-state" | "redis-cache";

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
    const { stateUrl, cacheUrl } = settings.redis;
    await Promise.all([
      reach("REDIS_STATE_URL", stateUrl, () => tcpReachable(stateUrl)),
      cacheUrl ? reach("REDIS_CACHE_URL", cacheUrl, () => tcpReachable(cacheUrl)) : undefined,
    ]);
    return { stateUrl, cacheUrl: cacheUrl ?? stateUrl, external: true };
  }
  const options = {
    "redis-state": {
      dataDir: layout.redisState,
      maxmemoryPolicy: "noeviction",
      persistent: true,
    },
    "redis-cache": {
      dataDir: layout.redisCache,
      maxmemoryPolicy: "allkeys-lru",
      maxmemory: settings.redis.cacheMaxmemory,
      persistent: false,
    },
  } as const;
  const start = async (name: RedisServerName, port?: number) => {
    const server = await startRedis({
      ...options[name],
      ...(port !== undefined ? { port } : {}),
    });
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
    return server;
  };
  const [state, cache] = await Promise.all([start("redis-state"), start("redis-cache")]);
  const ports = { "redis-state": state.port, "redis-cache": cache.port };
  return {
    stateUrl: state.url,
    cacheUrl: cache.url,
    external: false,
    startAgain: async (name) => {
      await start(name, ports[name]);
    },
  };
}
