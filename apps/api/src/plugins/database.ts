import fp from "fastify-plugin";
import { createDatabase, type Database } from "@strata/db";
import type { DatabaseConfig } from "@strata/config";

declare module "fastify" {
  interface FastifyInstance {
    db: Database;
  }
}

/** The process's one PostgreSQL pool, closed last on shutdown. */
export default fp<{ config: DatabaseConfig; instanceId: string }>(
  async (app, { config, instanceId }) => {
    const db = createDatabase(config, {
      applicationName: `strata-api:${instanceId}`,
      logger: app.log,
    });
    app.decorate("db", db);
    app.addHook("onClose", async () => {
      await db.close();
    });
  },
  { name: "database" },
);
