import { PRIVATE, publicPolicy } from "./policy.ts";

/**
 * The policies of strata's routes, by name. The API attaches them to routes; the nginx and CDN
 * generators and the web front end import the same objects.
 */
export const policies = {
  /** Product lists and search: the brief's numbers. */
  productList: publicPolicy({ fresh: 60, staleWhileRevalidate: 300, staleIfError: 86_400 }),
  productDetail: publicPolicy({ fresh: 60, staleWhileRevalidate: 300, staleIfError: 86_400 }),
  /** Categories change rarely. */
  categories: publicPolicy({ fresh: 300, staleWhileRevalidate: 600, staleIfError: 86_400 }),
  /** Anything behind a session. */
  private: PRIVATE,
} as const;

export type PolicyName = keyof typeof policies;
