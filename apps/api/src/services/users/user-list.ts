import { z } from "zod";
import type { UserList, UserListQuery } from "@strata/contracts";
import { decodeCursor, encodeCursor } from "../pagination/keyset-cursor.ts";
import type { UserRepository } from "./user-repository.ts";

const UserCursor = z.strictObject({ v: z.literal(1), i: z.number().int().positive() });

/** GET /api/users: users by id, keyset-paginated (the cursor is the last id seen). */
export async function listUsers(users: UserRepository, query: UserListQuery): Promise<UserList> {
  const afterId = query.cursor ? decodeCursor(query.cursor, UserCursor).i : 0;
  // One row more than asked tells whether another page exists without a COUNT.
  const rows = await users.listAfter(afterId, query.limit + 1);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > query.limit && last ? encodeCursor({ v: 1, i: last.id }) : null,
  };
}
