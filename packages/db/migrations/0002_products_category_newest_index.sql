-- The "newest" order within a category: 0001 has (created_at, id) but no category-prefixed
-- twin, so GET /api/products?category=...&sort=newest walked the whole (created_at, id)
-- index filtering by category (or sorted every product of the category). Scanned backwards
-- for created_at DESC, id DESC.
CREATE INDEX products_category_created_idx ON products (category_id, created_at, id);
