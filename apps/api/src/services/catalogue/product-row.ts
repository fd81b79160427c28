import type { Product, ProductImage } from "@strata/contracts";

/** The products columns every query selects (alias `p`). */
export const PRODUCT_COLUMNS =
  "p.id, p.category_id, p.name, p.description, p.price_cents, p.stock, p.version, p.created_at, p.updated_at";

/** A product row joined with its category and images, as {@link withDetails} selects it. */
export interface ProductRow {
  id: string;
  category_id: string;
  category_slug: string;
  category_name: string;
  name: string;
  description: string;
  price_cents: number;
  stock: number;
  version: number;
  created_at: Date;
  updated_at: Date;
  images: RawImage[];
  sort_key?: string | number;
}

interface RawImage {
  id: number;
  key: string;
  contentType: string;
  width: number | null;
  height: number | null;
  thumbnails: unknown;
}

/**
 * Wraps a query that selects products rows (`PRODUCT_COLUMNS`, at most one page of them) with
 * their category and images: the joins run for the page's rows only, after LIMIT, so they
 * never change the plan of the keyset scan inside.
 */
export function withDetails(productsSql: string, orderBy = ""): string {
  return `WITH page AS (${productsSql})
SELECT page.*, c.slug AS category_slug, c.name AS category_name,
       COALESCE(img.images, '[]'::json) AS images
FROM page
JOIN categories c ON c.id = page.category_id
LEFT JOIN LATERAL (
  SELECT json_agg(json_build_object(
           'id', i.id, 'key', i.object_key, 'contentType', i.content_type,
           'width', i.width, 'height', i.height, 'thumbnails', i.thumbnails)
         ORDER BY i.position, i.id) AS images
  FROM product_images i WHERE i.product_id = page.id
) img ON true
${orderBy}`;
}

/** Maps a row to the API's Product. */
export function toProduct(row: ProductRow): Product {
  return {
    id: Number(row.id),
    name: row.name,
    description: row.description,
    priceCents: row.price_cents,
    stock: row.stock,
    category: { id: Number(row.category_id), slug: row.category_slug, name: row.category_name },
    images: row.images.map(toImage),
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toImage(image: RawImage): ProductImage {
  return {
    id: Number(image.id),
    key: image.key,
    contentType: image.contentType,
    width: image.width,
    height: image.height,
    thumbnails: toThumbnails(image.thumbnails),
  };
}

// The worker owns the thumbnails JSON; keep only well-formed entries so a surprise there
// cannot break the response schema of every product list.
function toThumbnails(raw: unknown): ProductImage["thumbnails"] {
  const out: ProductImage["thumbnails"] = {};
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return out;
  for (const [size, value] of Object.entries(raw as Record<string, unknown>)) {
    const t = value as { key?: unknown; width?: unknown; height?: unknown } | null;
    if (!t || typeof t.key !== "string") continue;
    out[size] = {
      key: t.key,
      width: Number.isInteger(t.width) ? (t.width as number) : null,
      height: Number.isInteger(t.height) ? (t.height as number) : null,
    };
  }
  return out;
}
