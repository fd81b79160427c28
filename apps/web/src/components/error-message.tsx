import { problemMessage } from "../api/problem-message.ts";

/** An error in words, announced to screen readers as it appears. */
export function ErrorMessage({
  error,
  overrides,
}: {
  error: unknown;
  overrides?: Record<number, string>;
}) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {problemMessage(error, overrides)}
    </p>
  );
}
