import { CATEGORIES, type CategorySpec } from "./categories.ts";
import { createRandom, type Random } from "./random.ts";
import { BRANDS, COLOURS, FEATURES, QUALITIES } from "./words.ts";

/** One row of the products COPY, in column order: see PRODUCT_COLUMNS. */
export type ProductRow = [
  categoryId: number,
  name: string,
  description: string,
  priceCents: number,
  stock: number,
  createdAt: string,
  updatedAt: string,
];

export const PRODUCT_COLUMNS = [
  "category_id",
  "name",
  "description",
  "price_cents",
  "stock",
  "created_at",
  "updated_at",
] as const;

/**
 * A fixed "now" for the seeded timestamps: with the wall clock, two seeds with the same
 * arguments would differ. Products are spread over the two years before it.
 */
export const SEED_EPOCH = Date.UTC(2026, 0, 1);
const TWO_YEARS_MS = 2 * 365 * 24 * 3600 * 1000;
const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;

export interface ProductRowOptions {
  count: number;
  seed: string;
  /** Database id of each category, by slug. */
  categoryIds: ReadonlyMap<string, number>;
}

/**
 * Yields `count` products one at a time, so a million rows never sit in memory. The same
 * options always yield the same rows in the same order.
 */
export function* productRows(options: ProductRowOptions): Generator<ProductRow> {
  const random = createRandom(`products:${options.seed}`);
  const pickCategory = weightedPicker(random, CATEGORIES);
  const ids = CATEGORIES.map((c) => {
    const id = options.categoryIds.get(c.slug);
    if (id === undefined) throw new Error(`category ${c.slug} has no id`);
    return id;
  });
  for (let i = 0; i < options.count; i++) {
    const index = pickCategory();
    const category = CATEGORIES[index]!;
    const brand = random.pick(BRANDS);
    const colour = random.chance(0.35) ? random.pick(COLOURS) : undefined;
    const noun = random.pick(category.nouns);
    const modifier = unlessRepeated(noun, random.pick(category.modifiers));
    const variant = random.chance(0.5)
      ? unlessRepeated(noun, random.pick(category.variants))
      : undefined;
    const name = [brand, colour, modifier, noun, variant].filter(Boolean).join(" ");
    const description = describe(random, category, brand, modifier, noun, colour);
    const created = SEED_EPOCH - wholeSeconds(random.next() * TWO_YEARS_MS);
    const updated = Math.min(SEED_EPOCH, created + wholeSeconds(random.next() * THIRTY_DAYS_MS));
    yield [
      ids[index]!,
      name,
      description,
      price(random, category),
      stock(random),
      new Date(created).toISOString(),
      new Date(updated).toISOString(),
    ];
  }
}

const wholeSeconds = (ms: number) => Math.floor(ms / 1000) * 1000;

/**
 * No "Wireless Wireless Mouse" or "Dumbbell Set Set of 5": a modifier or variant whose first
 * word the noun already has is left out.
 */
function unlessRepeated(noun: string, words: string): string | undefined {
  const first = words.split(/[\s-]/)[0]!.toLowerCase();
  return noun.toLowerCase().split(/[\s-]/).includes(first) ? undefined : words;
}

function describe(
  random: Random,
  category: CategorySpec,
  brand: string,
  modifier: string | undefined,
  noun: string,
  colour: string | undefined,
): string {
  const use = random.pick(category.uses);
  const quality = random.pick(QUALITIES);
  const item = (modifier ? `${modifier} ${noun}` : noun).toLowerCase();
  const opening = random.pick([
    `The ${brand} ${item} is ${quality} and made for ${use}.`,
    `A ${quality} ${item} from ${brand}, designed with ${use} in mind.`,
    `${brand} built this ${item} for ${use}: ${quality} from the first day.`,
  ]);
  const first = random.pick(FEATURES);
  let second = random.pick(FEATURES);
  if (second === first) second = FEATURES[(FEATURES.indexOf(first) + 1) % FEATURES.length]!;
  const finish = colour ? ` Finished in ${colour.toLowerCase()}.` : "";
  return `${opening} ${first} ${second}${finish}`;
}

/** Log-uniform inside the category's range, ending in .99 or .49 as shop prices do. */
function price(random: Random, category: CategorySpec): number {
  const [min, max] = category.priceCents;
  const raw = Math.exp(Math.log(min) + random.next() * (Math.log(max) - Math.log(min)));
  const ending = random.chance(0.8) ? 99 : 49;
  return Math.max(min, Math.floor(raw / 100) * 100 + ending);
}

/** About one product in sixteen is out of stock; the rest skew towards small counts. */
function stock(random: Random): number {
  if (random.chance(1 / 16)) return 0;
  return 1 + Math.floor(random.next() ** 2 * 500);
}

function weightedPicker(random: Random, categories: readonly CategorySpec[]): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (const c of categories) cumulative.push((total += c.weight));
  return () => {
    const r = random.next() * total;
    let i = 0;
    while (cumulative[i]! <= r) i++;
    return i;
  };
}
