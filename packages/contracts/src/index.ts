/**
 * Request and response schemas shared by the API and the web front end. Nothing here may import
 * Node or Fastify: the browser bundle imports this package as it is.
 */
export * from "./auth.ts";
export * from "./category.ts";
export * from "./ids.ts";
export * from "./ops.ts";
export * from "./pagination.ts";
export * from "./problem.ts";
export * from "./product.ts";
export * from "./uploads.ts";
export * from "./user.ts";
