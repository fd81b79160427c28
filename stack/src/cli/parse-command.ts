import { parseArgs } from "node:util";

export type Command =
  | { name: "up"; instances?: number; products?: number; reset: boolean; pgbouncer?: true }
  | { name: "status" }
  | { name: "scale"; instances: number }
  | { name: "restart" }
  | { name: "down" }
  | { name: "help" };

export const usage = `usage: npm start [-- flags]          (same as: npm run stack -- up [flags])
       npm run stack -- <command>

commands:
  up [--instances N] [--products N] [--reset] [--pgbouncer]
                 start everything and stay in the foreground (default command);
                 Ctrl-C or SIGTERM stops everything in order
  status         show every process of the running stack
  scale N        change the number of API instances (connection budget checked)
  restart        rolling restart of the API instances, one at a time
  down           stop the running stack

flags of up:
  --instances N  API instances (default STRATA_INSTANCES or 3; with 3 or more the last
                 is nginx's backup)
  --products N   products seeded into an empty catalogue (default STRATA_PRODUCTS or 10000)
  --reset        delete the data folder first (database, Redis, S3 objects, credentials)
  --pgbouncer    API instances and workers reach PostgreSQL through a private PgBouncer
                 (transaction mode); migrations and the seed connect directly`;

const whole = (flag: string, value: string | undefined, min: number): number => {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min) {
    throw new Error(`${flag} needs a whole number ≥ ${min}, not ${JSON.stringify(value)}`);
  }
  return n;
};

/** Parses the command line (node:util parseArgs: strict, no library needed). */
export function parseCommand(argv: string[]): Command {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      instances: { type: "string" },
      products: { type: "string" },
      reset: { type: "boolean", default: false },
      pgbouncer: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return { name: "help" };
  const [name = "up", ...rest] = positionals;
  const noMore = () => {
    if (rest.length > 0) throw new Error(`unexpected argument ${rest[0]}`);
  };
  const upOnly = () => {
    if (
      values.instances !== undefined ||
      values.products !== undefined ||
      values.reset ||
      values.pgbouncer
    ) {
      throw new Error(
        `--instances, --products, --reset and --pgbouncer belong to "up", not "${name}"`,
      );
    }
  };
  switch (name) {
    case "up":
      noMore();
      return {
        name: "up",
        reset: values.reset ?? false,
        ...(values.pgbouncer ? { pgbouncer: true as const } : {}),
        ...(values.instances !== undefined
          ? { instances: whole("--instances", values.instances, 1) }
          : {}),
        ...(values.products !== undefined
          ? { products: whole("--products", values.products, 0) }
          : {}),
      };
    case "scale":
      upOnly();
      if (rest.length !== 1) throw new Error("scale needs the instance count: scale N");
      return { name: "scale", instances: whole("scale", rest[0], 1) };
    case "status":
    case "restart":
    case "down":
    case "help":
      upOnly();
      noMore();
      return { name };
    default:
      throw new Error(`unknown command ${JSON.stringify(name)}`);
  }
}
