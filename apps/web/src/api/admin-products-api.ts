import { Product, type ProductCreate, type ProductUpdate } from "@strata/contracts";
import { apiFetch, apiSend } from "./api-client.ts";

export const createProduct = (body: ProductCreate, idempotencyKey: string) =>
  apiFetch("/api/products", Product, {
    method: "POST",
    json: body,
    // A double click or a retried request creates one product, not two.
    headers: { "idempotency-key": idempotencyKey },
  });

/** A lost update is a 412 whose problem carries `currentVersion` and `current`. */
export const updateProduct = (
  id: number,
  version: number,
  changes: Omit<ProductUpdate, "version">,
) =>
  apiFetch(`/api/products/${id}`, Product, {
    method: "PATCH",
    json: changes,
    headers: { "if-match": `"${version}"` },
  });

export const deleteProduct = (id: number, version: number) =>
  apiSend(`/api/products/${id}`, { method: "DELETE", headers: { "if-match": `"${version}"` } });
