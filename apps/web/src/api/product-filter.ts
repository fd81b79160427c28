import type { ProductSort } from "@strata/contracts";

/** What the catalogue page filters by; `undefined` fields are left out of the URL. */
export interface ProductFilter {
  q?: string;
  category?: string;
  sort?: ProductSort;
}
