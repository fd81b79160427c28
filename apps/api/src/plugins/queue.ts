import fp from "fastify-plugin";
import { createProducers, type Producers } from "@strata/queue";

declare module "fastify" {
  interface FastifyInstance {
    /** The job queues, producing side only: the API enqueues and inspects, never processes. */
    queues: Producers;
  }
}

/**
 * BullMQ queues on the state Redis client (already checked to be `noeviction` by the redis
 * plugin, and fail-fast: no offline queue, a command timeout). Queues are created on first
 * use, so an instance that never enqueues holds no extra state.
 */
export default fp(
  async (app) => {
    let reported = false;
    const producers = createProducers(app.redis.state, (error, queue) => {
      if (!reported) app.log.warn({ err: error.message, queue }, "job queue error");
      reported = true;
    });
    app.decorate("queues", producers);
    app.addHook("onClose", async () => {
      // Bounded: closing a queue waits for Redis, which may be the thing that is down.
      await Promise.race([producers.close(), new Promise((r) => setTimeout(r, 2_000).unref())]);
    });
  },
  { name: "queue", dependencies: ["redis"] },
);
