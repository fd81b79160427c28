import { z } from "zod";
import { Category, CategorySlug } from "./category.ts";
import { Id } from "./ids.ts";
import { Cursor, Limit, page } from "./pagination.ts";
import { multiLine, singleLine } from "./text.ts";

/** Largest price accepted: 1,000,000.00 in the shop's currency (fits PostgreSQL integer). */
export const MAX_PRICE_CENTS = 100_000_000;
/** Largest stock count accepted. */
export const MAX_STOCK = 1_000_000_000;

const Thumbnail = z.object({
  key: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
});

/** An image stored in object storage under a content-addressed key, with its thumbnails. */
export const ProductImage = z
  .object({
    id: Id,
    key: z.string().describe("object storage key (sha256 of the bytes)"),
    contentType: z.string(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    thumbnails: z.record(z.string(), Thumbnail).describe("by size name, written by the worker"),
  })
  .meta({ id: "ProductImage" });

export const Product = z
  .object({
    id: Id,
    name: z.string(),
    description: z.string(),
    priceCents: z.number().int(),
    stock: z.number().int(),
    category: Category,
    images: z.array(ProductImage),
    version: z
      .number()
      .int()
      .positive()
      .describe('optimistic concurrency: send it back as `version` or `If-Match: "<version>"`'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Product" });

export const ProductList = page(Product).meta({ id: "ProductList" });

/**
 * Orders of the product list, each backed by an index: `id`, `price` (ascending), `-price`
 * (descending), `name` (byte order, so it is stable across locales), `newest` (created first
 * comes last). With `q`, results are filtered by the text search and keep the chosen order.
 */
export const ProductSort = z.enum(["id", "price", "-price", "name", "newest"]);

export const ProductListQuery = z.strictObject({
  limit: Limit,
  cursor: Cursor.optional(),
  category: CategorySlug.optional().describe("category slug"),
  q: singleLine(1, 200).optional().describe("full-text search (web search syntax)"),
  sort: ProductSort.default("id"),
});

const fields = {
  name: singleLine(1, 200),
  description: multiLine(10_000),
  // Bounds before int(): zod reports the first failed check, and int()'s own bound is
  // Number.MAX_SAFE_INTEGER, so 1e300 was "expected int to be <=9007199254740991".
  priceCents: z.number().min(0).max(MAX_PRICE_CENTS).int(),
  stock: z.number().min(0).max(MAX_STOCK).int(),
  categoryId: Id,
};

export const ProductCreate = z
  .strictObject({
    ...fields,
    description: fields.description.default(""),
    stock: fields.stock.default(0),
  })
  .meta({ id: "ProductCreate" });

/**
 * A partial update. The version read must be sent, either here or as `If-Match: "<version>"`;
 * without either the server answers 428. (No defaults here: a missing field stays as it is.)
 */
export const ProductUpdate = z
  .strictObject({
    name: fields.name.optional(),
    description: fields.description.optional(),
    priceCents: fields.priceCents.optional(),
    stock: fields.stock.optional(),
    categoryId: fields.categoryId.optional(),
    version: z.number().int().positive().max(2_147_483_647).optional(),
  })
  .refine(
    (body) => Object.keys(body).some((key) => key !== "version"),
    "must name at least one field to change",
  )
  .meta({ id: "ProductUpdate" });

export type ProductImage = z.infer<typeof ProductImage>;
export type Product = z.infer<typeof Product>;
export type ProductList = z.infer<typeof ProductList>;
export type ProductSort = z.infer<typeof ProductSort>;
export type ProductListQuery = z.infer<typeof ProductListQuery>;
export type ProductCreate = z.infer<typeof ProductCreate>;
export type ProductUpdate = z.infer<typeof ProductUpdate>;
