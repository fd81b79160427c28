-- Catalogue and users. Keyset pagination walks (sort key, id); every list query has an index
-- that matches its ORDER BY, with and without a category filter, so a cursor deep into a
-- million products costs the same as the first page.

CREATE TABLE categories (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  category_id  bigint NOT NULL REFERENCES categories (id) ON DELETE RESTRICT,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description  text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
  price_cents  integer NOT NULL CHECK (price_cents >= 0),
  stock        integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
  -- Optimistic concurrency: every update must name the version it read.
  version      integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  -- 'simple' configuration: product names are not English prose, and stemming brand names hurts.
  search       tsvector GENERATED ALWAYS AS (
                 setweight(to_tsvector('simple', name), 'A') ||
                 setweight(to_tsvector('simple', description), 'B')
               ) STORED
);

CREATE INDEX products_category_id_idx     ON products (category_id, id);
CREATE INDEX products_price_id_idx        ON products (price_cents, id);
CREATE INDEX products_category_price_idx  ON products (category_id, price_cents, id);
CREATE INDEX products_name_id_idx         ON products (name COLLATE "C", id);
CREATE INDEX products_category_name_idx   ON products (category_id, name COLLATE "C", id);
CREATE INDEX products_created_id_idx      ON products (created_at, id);
CREATE INDEX products_search_idx          ON products USING gin (search);

CREATE TABLE product_images (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id    bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  -- Content-addressed object key in S3-compatible storage (sha256 of the bytes).
  object_key    text NOT NULL,
  content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
  byte_size     integer NOT NULL CHECK (byte_size > 0),
  width         integer,
  height        integer,
  -- {"small": {"key": ..., "width": ...}, ...}, written by the thumbnail worker.
  thumbnails    jsonb NOT NULL DEFAULT '{}'::jsonb,
  position      integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (product_id, object_key)
);

CREATE INDEX product_images_product_idx ON product_images (product_id, position, id);

CREATE TABLE users (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email          text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  password_hash  text NOT NULL,
  role           text NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'admin')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Unique regardless of case: Alice@x and alice@x are one account.
CREATE UNIQUE INDEX users_email_lower_idx ON users (lower(email));
