/** The kinds of process the stack runs, in the order they are stopped. */
export const stopOrder = [
  "nginx",
  "api",
  "worker",
  "pgbouncer",
  "s3",
  "redis",
  "postgres",
] as const;

export type Role = (typeof stopOrder)[number];

/** Front to back: traffic stops entering before the things it needs go away. */
export function stopRank(role: Role): number {
  return stopOrder.indexOf(role);
}
