import pg from "pg";
import { startPostgres } from "@strata/local-servers";
import type { DataLayout } from "../data-layout.ts";
import type { Supervisor } from "../process/supervisor.ts";
import type { StackSettings } from "../settings.ts";
import { reach } from "./external-services.ts";

export interface DatabaseService {
  url: string;
  external: boolean;
  maxConnections: number;
  /**
   * The private server only: starts it again on the same port and data folder (so every URL
   * stays valid) after the supervisor stopped it, for failure drills.
   */
  startAgain?: () => Promise<void>;
}

/** Reads max_connections from the server itself: the budget is checked against the truth. */
export async function readMaxConnections(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const result = await client.query<{ max_connections: string }>("SHOW max_connections");
    return Number(result.rows[0]?.max_connections);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Uses DATABASE_URL when set; otherwise starts the private, durable PostgreSQL. */
export async function provideDatabase(
  settings: StackSettings,
  layout: DataLayout,
  supervisor: Supervisor,
): Promise<DatabaseService> {
  if (settings.db.url) {
    return {
      url: settings.db.url,
      external: true,
      maxConnections: await reach("DATABASE_URL", settings.db.url, () =>
        readMaxConnections(settings.db.url!),
      ),
    };
  }
  const start = async (port?: number) => {
    const server = await startPostgres({
      dataDir: layout.postgres,
      maxConnections: settings.db.privateMaxConnections,
      ...(port !== undefined ? { port } : {}),
    });
    supervisor.add({
      name: "postgres",
      role: "postgres",
      address: `127.0.0.1:${server.port}`,
      logFile: server.process.logFile,
      process: server.process,
      stop: server.stop,
      stopSignal: "SIGINT",
      stopTimeoutMs: 30_000,
    });
    return server;
  };
  const server = await start();
  return {
    url: server.url,
    external: false,
    maxConnections: await readMaxConnections(server.url),
    startAgain: async () => {
      await start(server.port);
    },
  };
}
