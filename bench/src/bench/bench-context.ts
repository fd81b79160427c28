import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { migrate, seed } from "@strata/db";
import { startStaticNginx, type StaticNginx } from "../baselines/static-nginx.ts";
import {
  repoRoot,
  spawnApiInstance,
  spawnNodeServer,
  type SpawnedProcess,
} from "../harness/api-instance.ts";
import { startHarnessStack, type HarnessStack } from "../harness/harness-stack.ts";
import { adminSession, createBenchProducts } from "../harness/admin-client.ts";

export interface BenchOptions {
  /** Products in the main catalogue (1,000,000 for the full run). */
  products: number;
  /** Products in the comparison catalogue (10,000). */
  smallProducts: number;
  instances: number;
  /** `node --cpu-prof` for the directly measured instance (api-l1); profiles land here. */
  cpuProfDir?: string;
  /**
   * Only api-l1 beside the stack (the other variants alias it, no second catalogue): for the
   * smoke run in `npm test`, where start-up time matters more than every comparison.
   */
  minimal?: boolean;
  log: (line: string) => void;
}

/** Everything a bench run measures against, started once. */
export interface BenchContext {
  harness: HarnessStack;
  nginxUrl: string;
  /** Variant instances beside the stack's, called directly. */
  l1: SpawnedProcess;
  l2: SpawnedProcess;
  limited: SpawnedProcess;
  /** api-limited's twin with the limiter off: the pair serves only the limiter scenarios. */
  unlimited: SpawnedProcess;
  small: SpawnedProcess;
  bare: SpawnedProcess;
  staticNginx: StaticNginx;
  /** The product-list response both ceilings serve. */
  listBody: string;
  listPath: string;
  token: string;
  productIds: number[];
  products: number;
  /** A price at 99 % of each catalogue in price order: the deep cursor's position. */
  deepPrice: { large: number; small: number };
  /** Every API process whose memory is watched: stack instances and variants. */
  apiPids(): Record<string, number>;
  stop(): Promise<void>;
}

export const LIST_PATH = "/api/products?limit=20";

/**
 * Starts the stack on a catalogue of `products`, a second database of `smallProducts` for the
 * deep-cursor comparison, the variant instances and the two ceilings.
 */
export async function startBenchContext(options: BenchOptions): Promise<BenchContext> {
  const { log } = options;
  log(
    `starting the stack: ${options.instances} instances, ${options.products} products (seeding takes about a minute per million)`,
  );
  const harness = await startHarnessStack({
    instances: options.instances,
    products: options.products,
    // The scenarios measure the read and write paths; the limiter has its own on/off pair.
    env: { RATE_LIMIT_ENABLED: "false" },
    log,
  });
  const started: { stop(): Promise<void> }[] = [];
  try {
    const logDir = path.join(harness.dir, "logs");
    fs.mkdirSync(logDir, { recursive: true });
    const smallUrl = options.minimal
      ? harness.servers.postgres.url
      : await createSmallCatalogue(harness, options.smallProducts, log);
    const env = harness.serviceEnv;
    log(
      "starting variant instances: api-l1, api-l2 (L1 off), api-limited and api-unlimited (limiter on and off), api-small",
    );
    const variants = [
      () =>
        spawnApiInstance({
          id: "api-l1",
          serviceEnv: env,
          logDir,
          ...(options.cpuProfDir
            ? { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfDir}`] }
            : {}),
        }),
      () =>
        spawnApiInstance({
          id: "api-l2",
          serviceEnv: env,
          logDir,
          extra: { CACHE_L1_MAX_ENTRIES: "0" },
        }),
      () =>
        spawnApiInstance({
          id: "api-limited",
          serviceEnv: env,
          logDir,
          // High enough never to refuse at this machine's speed: only the limiter's cost shows.
          extra: {
            RATE_LIMIT_ENABLED: "true",
            RATE_LIMIT_DEFAULT_MAX: "100000",
            RATE_LIMIT_DEFAULT_WINDOW_S: "1",
          },
        }),
      // The same history as api-limited (only the limiter scenario reads from it), so the
      // pair's ratio is the limiter's cost, not the other scenarios' garbage in api-l1's heap.
      () => spawnApiInstance({ id: "api-unlimited", serviceEnv: env, logDir }),
      () =>
        spawnApiInstance({
          id: "api-small",
          serviceEnv: env,
          logDir,
          extra: {
            DATABASE_URL: smallUrl,
            // Its own cache keyspace (another Redis database): the two catalogues share ids.
            REDIS_CACHE_URL: `${harness.servers.redisCache.url}/1`,
          },
        }),
    ];
    const [l1, l2, limited, unlimited, small] = options.minimal
      ? await variants[0]!().then((one) => [one, one, one, one, one] as const)
      : await Promise.all(variants.map((start) => start()));
    started.push(...new Set([l1, l2, limited, unlimited, small]));
    const listBody = await (await fetch(`${l1.url}${LIST_PATH}`)).text();
    const bodyFile = path.join(harness.dir, "list-body.json");
    fs.writeFileSync(bodyFile, listBody);
    // Two, like the stack's two primaries: the second serves only the proxy-hop ceiling.
    const [bare, bareTwin] = await Promise.all(
      ["bare-fastify", "bare-fastify-2"].map((name) =>
        spawnNodeServer({
          name,
          entry: path.join(repoRoot, "bench", "src", "baselines", "bare-fastify-server.ts"),
          args: (port) => [String(port), bodyFile],
          logDir,
          readyPath: "/bare",
        }),
      ),
    );
    started.push(bare!, bareTwin!);
    const staticNginx = await startStaticNginx(harness.dir, listBody, [
      new URL(bare!.url).host,
      new URL(bareTwin!.url).host,
    ]);
    started.push(staticNginx);
    const session = await adminSession(l1.url, harness.admin);
    const productIds = await createBenchProducts(l1.url, session.token, 100);
    const deepPrice = {
      large: await priceAt(harness.servers.postgres.url, 0.99),
      small: await priceAt(smallUrl, 0.99),
    };
    return {
      harness,
      nginxUrl: harness.stack.url,
      l1,
      l2,
      limited,
      unlimited,
      small,
      bare: bare!,
      staticNginx,
      listBody,
      listPath: LIST_PATH,
      token: session.token,
      productIds,
      products: options.products,
      deepPrice,
      apiPids() {
        const pids: Record<string, number> = {};
        for (const row of harness.stack.status().processes) {
          if (row.role === "api" && row.state === "running") pids[row.name] = row.pid;
        }
        for (const p of new Set([l1, l2, limited, unlimited, small])) pids[p.name] = p.pid;
        return pids;
      },
      async stop() {
        await Promise.all(started.map((s) => s.stop()));
        await harness.stop();
      },
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.stop()));
    await harness.stop();
    throw error;
  }
}

/** A second database on the same server, seeded with the small catalogue. */
async function createSmallCatalogue(
  harness: HarnessStack,
  products: number,
  log: (line: string) => void,
): Promise<string> {
  const admin = new pg.Client({ connectionString: harness.servers.postgres.adminUrl });
  await admin.connect();
  try {
    await admin.query('CREATE DATABASE "strata_small"');
  } finally {
    await admin.end();
  }
  const url = new URL(harness.servers.postgres.url);
  url.pathname = "/strata_small";
  await migrate(url.toString());
  log(`seeding the comparison catalogue: ${products} products`);
  await seed(url.toString(), { products });
  return url.toString();
}

/** The price at `fraction` of the catalogue in (price, id) order. */
async function priceAt(url: string, fraction: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ price_cents: number }>(
      `SELECT price_cents FROM products ORDER BY price_cents, id
       OFFSET (SELECT floor(count(*) * $1::float8)::bigint FROM products) LIMIT 1`,
      [fraction],
    );
    return rows[0]?.price_cents ?? 0;
  } finally {
    await client.end();
  }
}
