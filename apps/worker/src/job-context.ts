import type { Logger } from "pino";
import type { Database } from "@strata/db";
import type { Storage } from "@strata/storage";

/** What every job handler may use: one pool, one store and the process's logger. */
export interface JobContext {
  db: Database;
  storage: Storage;
  log: Logger;
  importBatchSize: number;
}
