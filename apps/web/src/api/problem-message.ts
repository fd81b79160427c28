import { ApiError } from "./api-error.ts";

/** Words for a status when the caller has nothing more specific to say. */
const BY_STATUS: Record<number, string> = {
  0: "The shop cannot be reached. Check your connection and try again.",
  400: "Some of what you entered is not valid.",
  401: "Please log in first.",
  403: "You are not allowed to do this.",
  404: "This item does not exist (any more).",
  409: "This clashes with something that already exists.",
  412: "Someone else changed this while you were editing it.",
  413: "That is too large to upload.",
  415: "This kind of file is not accepted.",
  422: "The file could not be used.",
  428: "Reload the item and try again.",
  429: "Too many attempts.",
  500: "Something went wrong on our side. Please try again.",
  502: "The shop is not answering right now. Please try again in a moment.",
  503: "The shop is busy right now. Please try again in a moment.",
  504: "The shop took too long to answer. Please try again.",
};

/**
 * A sentence a person understands for any error thrown by the API client (or anything else).
 * `overrides` lets a page say something better for a status, e.g. 401 on the login form.
 */
export function problemMessage(error: unknown, overrides: Record<number, string> = {}): string {
  if (!(error instanceof ApiError)) {
    // A response that does not match @strata/contracts: the page and the API disagree.
    if (error instanceof Error && error.name === "ZodError") {
      return "The shop answered with something this page does not understand. Reload the page.";
    }
    if (error instanceof Error && error.message) {
      return error.message.charAt(0).toUpperCase() + error.message.slice(1) + ".";
    }
    return BY_STATUS[500]!;
  }
  const { status, problem } = error;
  const base =
    overrides[status] ?? BY_STATUS[status] ?? (status >= 500 ? BY_STATUS[500]! : BY_STATUS[400]!);
  if (status === 429 || status === 503) {
    const wait = error.retryAfterSeconds;
    return wait ? `${base} Please wait ${wait} seconds and try again.` : base;
  }
  const fields = problem?.errors ?? [];
  if (fields.length > 0) {
    const list = fields.map((e) => `${e.field.replace(/^body\./, "")} ${e.message}`).join("; ");
    return `${base} Please check: ${list}.`;
  }
  // The API's details are written for people (e.g. "an account with this email exists").
  if ([403, 409, 413, 422].includes(status) && problem?.detail) {
    return `${base} (${problem.detail})`;
  }
  return base;
}
