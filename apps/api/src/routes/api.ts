import type { FastifyInstance } from "fastify";
import { PasswordHasher } from "@strata/passwords";
import authPlugin from "../plugins/auth.ts";
import idempotencyPlugin from "../plugins/idempotency.ts";
import { AuthService } from "../services/auth/auth-service.ts";
import { CategoryRepository } from "../services/catalogue/category-repository.ts";
import { ProductRepository } from "../services/catalogue/product-repository.ts";
import { ProductService } from "../services/catalogue/product-service.ts";
import { UserRepository } from "../services/users/user-repository.ts";
import authRoutes from "./auth/auth-routes.ts";
import categoryRoutes from "./categories/category-routes.ts";
import imageRoutes from "./images.ts";
import importRoutes from "./imports.ts";
import jobRoutes from "./jobs.ts";
import opsRoutes from "./ops/ops-routes.ts";
import productReadRoutes from "./products/product-read-routes.ts";
import productImageRoutes from "./product-images.ts";
import productWriteRoutes from "./products/product-write-routes.ts";
import userRoutes from "./users/user-routes.ts";

/** The public API under /api: each area registers its own encapsulated routes. */
export default async function apiRoutes(app: FastifyInstance): Promise<void> {
  // CSRF defence for the session cookie, with SameSite=Lax: request bodies must be
  // application/json. A cross-site HTML form can only send urlencoded, multipart or
  // text/plain, and a script on another origin cannot send JSON without a CORS preflight,
  // which this API never grants. Fastify parses text/plain by default; here it is a 415.
  app.removeContentTypeParser("text/plain");

  await app.register(authPlugin);
  await app.register(idempotencyPlugin);

  const users = new UserRepository(app.db);
  const products = new ProductService(new ProductRepository(app.db), app.invalidator);

  await app.register(productReadRoutes, { prefix: "/products", products });
  await app.register(productWriteRoutes, { prefix: "/products", products });
  // Storage and jobs (issue 6): image uploads and their public URLs, CSV imports, job admin.
  await app.register(productImageRoutes, { prefix: "/products" });
  await app.register(imageRoutes, { prefix: "/images" });
  await app.register(importRoutes, { prefix: "/imports" });
  await app.register(jobRoutes, { prefix: "/jobs" });
  await app.register(categoryRoutes, {
    prefix: "/categories",
    categories: new CategoryRepository(app.db),
  });
  await app.register(authRoutes, {
    prefix: "/auth",
    auth: new AuthService(users, new PasswordHasher(app.config.argon2, app.config.hashing)),
  });
  await app.register(userRoutes, { prefix: "/users", users });
  await app.register(opsRoutes, { prefix: "/ops" });
}
