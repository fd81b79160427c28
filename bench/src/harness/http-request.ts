import { replayingRequest, type HttpAnswer, type HttpRequestOptions } from "@strata/stack";
import { assertLoopback } from "../load/loopback.ts";

export type { HttpAnswer };

/**
 * One request of the harnesses, to 127.0.0.1 only: the stack's replaying request (never
 * throws; a repeatable request whose connection closed before any answer is sent once more).
 */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
  assertLoopback(url);
  return replayingRequest(url, options);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
