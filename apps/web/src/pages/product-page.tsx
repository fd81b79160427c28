import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorMessage } from "../components/error-message.tsx";
import { formatPrice } from "../components/format.ts";
import { ProductPicture, imageSource } from "../components/product-image.tsx";
import { productQuery } from "../queries/catalogue-queries.ts";
import { meQuery } from "../queries/session-queries.ts";
import { Link } from "../router/link.tsx";
import { paths } from "../router/routes.ts";

export function ProductPage({ id }: { id: number }) {
  const product = useQuery(productQuery(id));
  const user = useQuery(meQuery()).data;
  const [selected, setSelected] = useState(0);

  if (product.isPending) return <p className="status">Loading…</p>;
  if (product.isError) {
    return (
      <section>
        <h1 tabIndex={-1}>Product</h1>
        <ErrorMessage
          error={product.error}
          overrides={{ 404: "This product does not exist (any more)." }}
        />
        <Link href={paths.catalogue}>Back to the catalogue</Link>
      </section>
    );
  }
  const p = product.data;
  const image = p.images[selected] ?? p.images[0];
  return (
    <article className="product">
      <p>
        <Link href={paths.catalogue}>← Catalogue</Link>
      </p>
      <div className="product-layout">
        <div className="gallery">
          <ProductPicture image={image} size="large" alt={p.name} />
          {p.images.length > 1 && (
            <ul className="thumbs" aria-label="Images">
              {p.images.map((img, i) => (
                <li key={img.id}>
                  <button
                    type="button"
                    aria-label={`Show image ${i + 1} of ${p.images.length}`}
                    aria-pressed={i === selected}
                    onClick={() => setSelected(i)}
                  >
                    <img src={imageSource(img, "small")} alt="" />
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h1 tabIndex={-1} data-testid="product-name">
            {p.name}
          </h1>
          <p className="price big" data-testid="product-price">
            {formatPrice(p.priceCents)}
          </p>
          <p className="muted">
            {p.category.name} · {p.stock > 0 ? `${p.stock} in stock` : "out of stock"}
          </p>
          <p className="description">{p.description || "No description."}</p>
          {user?.role === "admin" && (
            <p>
              <Link className="button" href={paths.adminEdit(p.id)}>
                Edit this product
              </Link>
            </p>
          )}
        </div>
      </div>
    </article>
  );
}
