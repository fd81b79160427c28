import { ensureDebianPackage } from "../system-packages.ts";
import { postgresBinDir } from "../postgres.ts";
import { nginxBinary } from "../nginx.ts";
import { PGBOUNCER_BINARY } from "../pgbouncer.ts";

/**
 * Installs, once and before anything runs in parallel, the Debian packages whose servers
 * the tests and the stack start privately.
 */
postgresBinDir();
ensureDebianPackage("redis-server", "redis-server");
// The PgBouncer pass of `npm test` and `npm start -- --pgbouncer`.
ensureDebianPackage("pgbouncer", PGBOUNCER_BINARY);
nginxBinary();
// The front end's browser tests drive Debian's Chromium (apps/web/test/e2e).
ensureDebianPackage("chromium", "/usr/bin/chromium");
// `npm run bench` and its smoke run in `npm test` load the servers with wrk (bench/).
ensureDebianPackage("wrk", "wrk");
