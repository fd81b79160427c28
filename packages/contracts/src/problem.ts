import { z } from "zod";

/** RFC 9457 problem details, the body of every error response. */
export const Problem = z
  .looseObject({
    type: z.string(),
    status: z.number().int(),
    title: z.string(),
    detail: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe("each bad field of a validation error"),
  })
  .meta({ id: "Problem" });

export type Problem = z.infer<typeof Problem>;
