import { useQuery, useQueryClient } from "@tanstack/react-query";
import { UploadedImage } from "@strata/contracts";
import { useRef, useState, type FormEvent } from "react";
import { uploadWithProgress, type UploadProgress } from "../../api/upload-with-progress.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { imageSource } from "../../components/product-image.tsx";
import { ProgressBar } from "../../components/progress-bar.tsx";
import { productQuery } from "../../queries/catalogue-queries.ts";
import { queryKeys } from "../../queries/query-keys.ts";

/** While the worker makes thumbnails, the product is asked again this often. */
const THUMBNAIL_POLL_MS = 2000;

/** Uploads images of a product with a progress bar; the worker makes the thumbnails later. */
export function ImageUpload({ productId }: { productId: number }) {
  const client = useQueryClient();
  const product = useQuery({
    ...productQuery(productId),
    refetchInterval: (query) =>
      query.state.data?.images.some((i) => Object.keys(i.thumbnails).length === 0)
        ? THUMBNAIL_POLL_MS
        : false,
  });
  const images = product.data?.images ?? [];
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<UploadProgress>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) {
      setError(new Error("choose an image file first"));
      return;
    }
    setBusy(true);
    setError(undefined);
    setMessage(undefined);
    setProgress({ loaded: 0, total: file.size });
    try {
      UploadedImage.parse(
        await uploadWithProgress(`/api/products/${productId}/images`, file, setProgress).done,
      );
      setMessage(`Uploaded ${file.name}. Thumbnails appear once the worker has made them.`);
      if (input.current) input.current.value = "";
      await client.invalidateQueries({ queryKey: queryKeys.productDetail(productId) });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="images-title">
      <h2 id="images-title">Images</h2>
      {images.length > 0 ? (
        <ul className="thumbs" data-testid="product-images">
          {images.map((img) => (
            <li key={img.id} data-thumbnails={Object.keys(img.thumbnails).length}>
              <img src={imageSource(img, "small")} alt="" />
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No images yet.</p>
      )}
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="image-file">Image file (JPEG, PNG or WebP)</label>
          <input id="image-file" ref={input} type="file" accept="image/jpeg,image/png,image/webp" />
        </div>
        {progress && busy && (
          <ProgressBar label="Upload" value={progress.loaded} max={progress.total} />
        )}
        <ErrorMessage error={error} />
        <p className="status" role="status">
          {message}
        </p>
        <button type="submit" disabled={busy}>
          {busy ? "Uploading…" : "Upload image"}
        </button>
      </form>
    </section>
  );
}
