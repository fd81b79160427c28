import { z } from "zod";

// Zod compiles object schemas with `new Function` when it may, and finds out by trying once:
// under the Content-Security-Policy nginx sends (no 'unsafe-eval') that try is a violation
// Chromium reports on every page. Parsing without compilation is all the front end needs.
z.config({ jitless: true });
