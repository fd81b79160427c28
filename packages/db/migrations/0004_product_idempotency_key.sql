-- The Idempotency-Key of the request that created a product (scoped per user, hashed), kept
-- inside the INSERT's own transaction: a retry whose Redis record was lost (an instance killed
-- between the commit and writing the record) finds the row instead of creating a second one.
ALTER TABLE products ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX products_idempotency_key_idx ON products (idempotency_key) WHERE idempotency_key IS NOT NULL;
