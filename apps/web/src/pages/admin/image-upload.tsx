import { useQueryClient } from "@tanstack/react-query";
import type { Product } from "@strata/contracts";
import { useRef, useState, type FormEvent } from "react";
import { uploadWithProgress, type UploadProgress } from "../../api/upload-with-progress.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { imageSource } from "../../components/product-image.tsx";
import { ProgressBar } from "../../components/progress-bar.tsx";
import { queryKeys } from "../../queries/query-keys.ts";

/** Uploads images of a product with a progress bar; the worker makes the thumbnails later. */
export function ImageUpload({ product }: { product: Product }) {
  const client = useQueryClient();
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
      await uploadWithProgress(`/api/products/${product.id}/images`, file, setProgress).done;
      setMessage(`Uploaded ${file.name}. Thumbnails appear once the worker has made them.`);
      if (input.current) input.current.value = "";
      await client.invalidateQueries({ queryKey: queryKeys.productDetail(product.id) });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="images-title">
      <h2 id="images-title">Images</h2>
      {product.images.length > 0 ? (
        <ul className="thumbs">
          {product.images.map((img) => (
            <li key={img.id}>
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
