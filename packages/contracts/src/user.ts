import { z } from "zod";
import { Id } from "./ids.ts";
import { Cursor, Limit, page } from "./pagination.ts";

export const Role = z.enum(["customer", "admin"]);

/** A user as the API shows it: never a password hash. */
export const User = z
  .object({
    id: Id,
    email: z.string(),
    role: Role,
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "User" });

export const UserList = page(User).meta({ id: "UserList" });

export const UserListQuery = z.strictObject({ limit: Limit, cursor: Cursor.optional() });

export type Role = z.infer<typeof Role>;
export type User = z.infer<typeof User>;
export type UserList = z.infer<typeof UserList>;
export type UserListQuery = z.infer<typeof UserListQuery>;
