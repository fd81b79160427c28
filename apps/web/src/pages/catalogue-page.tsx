import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { ProductSort, type Product } from "@strata/contracts";
import { useEffect, useRef, useState, type FormEvent } from "react";
import type { ProductFilter } from "../api/catalogue-api.ts";
import { ErrorMessage } from "../components/error-message.tsx";
import { formatPrice } from "../components/format.ts";
import { ProductPicture } from "../components/product-image.tsx";
import { categoriesQuery, productListQuery } from "../queries/catalogue-queries.ts";
import { Link } from "../router/link.tsx";
import { navigate, useLocation } from "../router/router.ts";
import { paths } from "../router/routes.ts";

const SORT_LABELS: Record<ProductSort, string> = {
  id: "Catalogue order",
  newest: "Newest first",
  price: "Price, low to high",
  "-price": "Price, high to low",
  name: "Name",
};

/** The filter lives in the URL, so a search can be bookmarked, shared and reloaded. */
function filterFrom(search: URLSearchParams): ProductFilter {
  const sort = ProductSort.safeParse(search.get("sort"));
  return {
    q: search.get("q") || undefined,
    category: search.get("category") || undefined,
    sort: sort.success ? sort.data : undefined,
  };
}

function hrefFor(filter: ProductFilter): string {
  const params = new URLSearchParams();
  if (filter.q) params.set("q", filter.q);
  if (filter.category) params.set("category", filter.category);
  if (filter.sort && filter.sort !== "id") params.set("sort", filter.sort);
  const query = params.toString();
  return query ? `/?${query}` : "/";
}

export function CataloguePage() {
  const { search } = useLocation();
  const filter = filterFrom(search);
  const [text, setText] = useState(filter.q ?? "");
  const categories = useQuery(categoriesQuery());
  const list = useInfiniteQuery(productListQuery(filter));
  const sentinel = useRef<HTMLDivElement>(null);

  useEffect(() => setText(filter.q ?? ""), [filter.q]);

  // Infinite scroll: the next keyset page loads as the end of the list comes into view.
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasNextPage) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
      },
      { rootMargin: "400px" },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const apply = (next: ProductFilter) => navigate(hrefFor(next), { replace: true });
  const onSearch = (event: FormEvent) => {
    event.preventDefault();
    apply({ ...filter, q: text.trim() || undefined });
  };

  const items: Product[] = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section>
      <h1 tabIndex={-1}>Catalogue</h1>
      <form className="filters" role="search" onSubmit={onSearch}>
        <div className="field">
          <label htmlFor="search">Search products</label>
          <input
            id="search"
            type="search"
            name="q"
            value={text}
            maxLength={200}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        <button type="submit">Search</button>
        <div className="field">
          <label htmlFor="category">Category</label>
          <select
            id="category"
            value={filter.category ?? ""}
            onChange={(e) => apply({ ...filter, category: e.target.value || undefined })}
          >
            <option value="">All categories</option>
            {categories.data?.items.map((c) => (
              <option key={c.id} value={c.slug}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="sort">Sort by</label>
          <select
            id="sort"
            value={filter.sort ?? "id"}
            onChange={(e) => apply({ ...filter, sort: e.target.value as ProductSort })}
          >
            {ProductSort.options.map((s) => (
              <option key={s} value={s}>
                {SORT_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
      </form>

      <ErrorMessage error={list.error ?? categories.error} />
      <p className="status" aria-live="polite">
        {list.isPending
          ? "Loading products…"
          : items.length === 0
            ? "No products match."
            : `Showing ${items.length}${hasNextPage ? "+" : ""} products`}
      </p>

      <ul className="grid" aria-label="Products">
        {items.map((product) => (
          <li key={product.id} className="card" data-product-id={product.id}>
            <Link href={paths.product(product.id)}>
              <ProductPicture image={product.images[0]} size="small" alt="" />
              <span className="card-name">{product.name}</span>
            </Link>
            <span className="card-meta">
              <span className="price">{formatPrice(product.priceCents)}</span>
              <span className="muted">{product.category.name}</span>
            </span>
          </li>
        ))}
      </ul>

      <div ref={sentinel} />
      {hasNextPage && (
        <button
          type="button"
          className="more"
          disabled={isFetchingNextPage}
          onClick={() => void fetchNextPage()}
        >
          {isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      )}
    </section>
  );
}
