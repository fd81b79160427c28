/**
 * Child-process entry of the private S3-compatible server (s3rver). Run as
 * `node --import tsx s3rver-main.ts` with S3RVER_* variables; it prints nothing but logs.
 * A process of its own (not a library inside the stack runner) so it is stopped, logged and
 * cleaned up like every other server.
 */
import { createRequire } from "node:module";
import S3rver from "s3rver";

const require = createRequire(import.meta.url);
// s3rver checks signatures against a registry of key pairs; its built-in pair is the
// well-known S3RVER/S3RVER, which we replace with the generated one.
const { DUMMY_ACCOUNT } = require("s3rver/lib/models/account.js") as {
  DUMMY_ACCOUNT: {
    createKeyPair(id: string, secret: string): void;
    revokeAccessKey(id: string): void;
  };
};

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

DUMMY_ACCOUNT.revokeAccessKey("S3RVER");
DUMMY_ACCOUNT.createKeyPair(env("S3RVER_ACCESS_KEY_ID"), env("S3RVER_SECRET_ACCESS_KEY"));

const server = new S3rver({
  address: env("S3RVER_ADDRESS"),
  port: Number(env("S3RVER_PORT")),
  directory: env("S3RVER_DIRECTORY"),
  configureBuckets: env("S3RVER_BUCKETS")
    .split(",")
    .map((name) => ({ name, configs: [] })),
  // Path-style requests to 127.0.0.1 only: no virtual-host bucket guessing from Host.
  vhostBuckets: false,
  silent: process.env.S3RVER_SILENT === "true",
});

await server.run();
process.stdout.write(`s3rver listening on ${env("S3RVER_ADDRESS")}:${env("S3RVER_PORT")}\n`);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
