import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startRedis, type RedisServer } from "@strata/local-servers";

/** Starts a private Redis server for one test file; stop it in afterAll. */
export async function startTestRedis(
  policy: "noeviction" | "allkeys-lru" = "noeviction",
): Promise<RedisServer & { dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-test-redis-"));
  const server = await startRedis({ dataDir, maxmemoryPolicy: policy });
  return {
    ...server,
    dataDir,
    async stop() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
