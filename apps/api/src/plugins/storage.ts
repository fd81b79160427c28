import fp from "fastify-plugin";
import type { StorageConfig } from "@strata/config";
import { createStorage, type Storage } from "@strata/storage";

declare module "fastify" {
  interface FastifyInstance {
    /** S3-compatible object storage: uploads, thumbnails, import files. */
    storage: Storage;
  }
}

/**
 * The process's object-store client. Nothing is contacted at start-up: an instance whose store
 * is down still serves the catalogue; uploads answer 503 until it is back (and the bucket is
 * created on the first write if it is missing).
 */
export default fp<{ config: StorageConfig }>(
  async (app, { config }) => {
    const storage = createStorage(config);
    app.decorate("storage", storage);
    app.addHook("onClose", async () => storage.close());
  },
  { name: "storage" },
);
