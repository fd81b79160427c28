-- Storage and background jobs (issue 6).

-- CSV imports upsert products by SKU: the file's stable key for a product, so importing a file
-- again (a retried or resumed job) updates the same rows instead of duplicating them. Products
-- created through the API may have none; NULLs never conflict.
ALTER TABLE products
  ADD COLUMN sku text CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$');
CREATE UNIQUE INDEX products_sku_idx ON products (sku);

-- Why an image has no thumbnails when retrying cannot help (it does not decode): the backfill
-- sweep skips such images instead of trying them every minute forever.
ALTER TABLE product_images ADD COLUMN thumbnail_error text;
-- The sweep's query: images still without thumbnails, oldest first.
CREATE INDEX product_images_pending_thumbnails_idx ON product_images (created_at)
  WHERE thumbnails = '{}'::jsonb AND thumbnail_error IS NULL;

-- One row per CSV import job: the checkpoint, written in the same transaction as each batch
-- of upserts. A worker that dies mid-file resumes after the last committed batch, and the
-- counters and the bad-row report stay exact however often that happens.
CREATE TABLE import_checkpoints (
  import_id    uuid PRIMARY KEY,
  -- Data records of the file that are fully accounted for (applied or rejected).
  rows_done    bigint NOT NULL DEFAULT 0 CHECK (rows_done >= 0),
  inserted     bigint NOT NULL DEFAULT 0,
  updated      bigint NOT NULL DEFAULT 0,
  unchanged    bigint NOT NULL DEFAULT 0,
  rejected     bigint NOT NULL DEFAULT 0,
  -- The first bad rows: [{"line": 7, "sku": "...", "reasons": ["..."]}, ...]
  errors       jsonb NOT NULL DEFAULT '[]'::jsonb,
  started_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);
