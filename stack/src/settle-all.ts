/**
 * Like Promise.all, but rejects only once every promise has settled, with the first error.
 * A failed start must wait for its parallel steps to finish: a server they were still
 * starting is registered with the supervisor only then, and must be stopped too.
 */
export async function settleAll<T extends readonly unknown[]>(
  promises: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
