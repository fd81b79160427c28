/**
 * Values that mean "nobody chose a secret here". Outside development they are refused, so a
 * copied .env.example can never reach production.
 */
const PLACEHOLDERS = new Set([
  "",
  "changeme",
  "change-me",
  "password",
  "secret",
  "postgres",
  "admin",
  "example",
  "minioadmin",
  "s3rver",
  "test",
]);

export function isPlaceholderSecret(value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.trim().toLowerCase();
  return PLACEHOLDERS.has(v) || v.startsWith("change") || v.includes("placeholder");
}

/** The password part of a connection URL, if it has one. */
export function urlPassword(value: string): string | undefined {
  try {
    const password = new URL(value).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}
