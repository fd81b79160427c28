import { expect, test } from "vitest";
import { z } from "zod";
import { HttpProblem } from "../../../src/http/problem.ts";
import { decodeCursor, encodeCursor } from "../../../src/services/pagination/keyset-cursor.ts";

const Schema = z.strictObject({ v: z.literal(1), i: z.number().int() });

test("a cursor round-trips and is URL-safe", () => {
  const cursor = encodeCursor({ v: 1, i: 42 });
  expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(decodeCursor(cursor, Schema)).toEqual({ v: 1, i: 42 });
});

test("anything else is a 400 problem naming the cursor", () => {
  for (const cursor of [
    "",
    "%%%",
    "AAAA",
    encodeCursor({ v: 1, i: "1" }),
    encodeCursor({ v: 1, i: 1, x: 1 }),
  ]) {
    let error: unknown;
    try {
      decodeCursor(cursor, Schema);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HttpProblem);
    expect((error as HttpProblem).problem.status).toBe(400);
    expect((error as HttpProblem).problem.errors?.[0]?.field).toBe("querystring.cursor");
  }
});
