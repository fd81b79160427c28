import { parseArgs } from "node:util";
import { DEFAULT_PRODUCTS, DEFAULT_SEED, MAX_PRODUCTS } from "../seed/seed-catalogue.ts";

export const SEED_USAGE = `usage: npm run db:seed -- [--products N] [--reset] [--seed TEXT]

  --products N   products to generate (default ${DEFAULT_PRODUCTS}, at most ${MAX_PRODUCTS}); 1_000_000 works
  --reset        empty the catalogue tables and seed again (otherwise only an empty catalogue is seeded)
  --seed TEXT    generator seed (default "${DEFAULT_SEED}"): the same arguments give the same catalogue
  --help         show this text

Environment: DATABASE_URL (required), ADMIN_EMAIL and ADMIN_PASSWORD (the first admin), ARGON2_*.`;

/** A command-line mistake: reported with the usage text and exit code 2, never a stack trace. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface SeedArgs {
  help: boolean;
  products: number;
  reset: boolean;
  seed: string;
}

/** Parses the seed command's flags strictly: unknown flags and stray arguments are errors. */
export function parseSeedArgs(argv: readonly string[]): SeedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        products: { type: "string" },
        reset: { type: "boolean", default: false },
        seed: { type: "string", default: DEFAULT_SEED },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    help: values.help,
    reset: values.reset,
    seed: values.seed,
    products: values.products === undefined ? DEFAULT_PRODUCTS : parseCount(values.products),
  };
}

function parseCount(text: string): number {
  // Digits with optional _ or , separators: "1000000", "1_000_000", "1,000,000".
  if (!/^\d+([_,]\d+)*$/.test(text)) {
    throw new UsageError(`--products must be a whole number, got "${text}"`);
  }
  const count = Number(text.replace(/[_,]/g, ""));
  if (count > MAX_PRODUCTS) {
    throw new UsageError(`--products must be at most ${MAX_PRODUCTS}, got ${text}`);
  }
  return count;
}
