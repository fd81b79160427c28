import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  JobList,
  JobListQuery,
  JobSummary,
  QueueNameParam,
  type JobState,
} from "@strata/contracts";
import { problems } from "../http/problem.ts";
import { privateResponses } from "../plugins/auth.ts";
import { jobSummaryOf } from "../services/imports/job-views.ts";
import { problemResponses, SESSION_SECURITY } from "./openapi-responses.ts";

const JobParams = z.strictObject({
  queue: QueueNameParam,
  id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9-]+$/, "must be a job id"),
});

/**
 * Background jobs for admins: `GET /api/jobs?queue=imports&state=failed` lists them (failed
 * jobs are kept a month, see @strata/queue's defaults) and `POST /api/jobs/:queue/:id/retry`
 * runs a failed one again (an import resumes from its last committed batch).
 */
export default async function jobRoutes(app: FastifyInstance): Promise<void> {
  app.addHook("onRequest", privateResponses);
  app.addHook("onRequest", app.authenticate);
  app.addHook("onRequest", app.requireAdmin);
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    "/",
    {
      schema: {
        tags: ["admin"],
        summary: "Jobs of a queue in one state (failed by default), newest first",
        security: SESSION_SECURITY,
        querystring: JobListQuery,
        response: { 200: JobList, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { queue, state, limit, offset } = request.query;
      const jobs = await (
        await app.queues.queue(queue)
      ).getJobs([state], offset, offset + limit - 1);
      return { items: jobs.map((job) => jobSummaryOf(queue, job, state as JobState)) };
    },
  );

  routes.post(
    "/:queue/:id/retry",
    {
      schema: {
        tags: ["admin"],
        summary: "Retry a failed job",
        security: SESSION_SECURITY,
        params: JobParams,
        response: { 202: JobSummary, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const { queue, id } = request.params;
      const job = await (await app.queues.queue(queue)).getJob(id);
      if (!job) throw problems.notFound(`no job ${id} in ${queue}`);
      const state = await job.getState();
      if (state !== "failed") throw problems.conflict(`job ${id} is ${state}, not failed`);
      await job.retry("failed");
      const again = (await (await app.queues.queue(queue)).getJob(id))!;
      reply.code(202);
      return jobSummaryOf(queue, again, (await again.getState()) as JobState);
    },
  );
}
