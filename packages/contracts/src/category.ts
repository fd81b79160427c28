import { z } from "zod";
import { Id } from "./ids.ts";

/** A category as embedded in products and listed by GET /api/categories. */
export const Category = z
  .object({
    id: Id,
    slug: z.string(),
    name: z.string(),
  })
  .meta({ id: "Category" });

export const CategoryList = z.object({ items: z.array(Category) }).meta({ id: "CategoryList" });

/** A category slug as accepted in filters. */
export const CategorySlug = z
  .string()
  .max(80)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be a category slug (lower-case words and dashes)");

export type Category = z.infer<typeof Category>;
export type CategoryList = z.infer<typeof CategoryList>;
