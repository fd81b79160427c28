/** JSON.parse that answers undefined for text that is not JSON (records read back from Redis). */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
