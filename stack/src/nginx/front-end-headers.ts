/**
 * Security headers of the front end's files (index.html and /assets/). The app is one origin:
 * its script and stylesheet, the images (under /api/), fetch and the live-event stream all come
 * from it, so the policy allows 'self' and nothing inline or evaluated. React's `style` props
 * are set through the CSSOM, which CSP does not govern; the favicon is `data:,`.
 * Framing is refused twice: frame-ancestors for browsers that read CSP, X-Frame-Options for
 * those that do not.
 */
export const frontEndSecurityHeaders: Readonly<Record<string, string>> = {
  "Content-Security-Policy": [
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
};

/**
 * The `add_header` lines of those headers. Every front-end location writes them out: nginx
 * drops the inherited add_header lines of a level as soon as a location sets one of its own.
 */
export function frontEndHeaderLines(): string[] {
  return Object.entries(frontEndSecurityHeaders).map(
    ([name, value]) => `add_header ${name} "${value}" always;`,
  );
}
