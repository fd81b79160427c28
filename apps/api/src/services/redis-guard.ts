import { problems } from "../http/problem.ts";

/**
 * Runs a state-Redis command on the request path. The clients fail fast (no offline queue, a
 * command timeout), and any failure becomes a 503 problem: sessions and idempotency records
 * have no fallback, and a 500 would wrongly say the request itself was at fault.
 */
export async function withStateRedis<T>(what: string, command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch {
    throw problems.unavailable(`${what} are unavailable right now; retry shortly`, 2);
  }
}
