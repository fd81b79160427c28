import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Product } from "@strata/contracts";
import { useState, type FormEvent } from "react";
import { createProduct, deleteProduct, updateProduct } from "../../api/admin-products-api.ts";
import { ApiError } from "../../api/api-error.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { Field } from "../../components/field.tsx";
import { categoriesQuery, productQuery } from "../../queries/catalogue-queries.ts";
import { queryKeys } from "../../queries/query-keys.ts";
import { Link } from "../../router/link.tsx";
import { navigate } from "../../router/router.ts";
import { paths } from "../../router/routes.ts";
import { ConflictPanel } from "./conflict-panel.tsx";
import { ImageUpload } from "./image-upload.tsx";
import {
  changesFrom,
  draftOf,
  draftProblems,
  emptyDraft,
  rebase,
  toCreate,
  type ProductDraft,
} from "./product-draft.ts";
import { RequireAdmin } from "./require-admin.tsx";

/** The current product carried by a 412 (the API sends `current` and `currentVersion`). */
function conflictOf(error: unknown): Product | undefined {
  if (!(error instanceof ApiError) || error.status !== 412) return undefined;
  const parsed = Product.safeParse(error.problem?.current);
  return parsed.success ? parsed.data : undefined;
}

export function ProductEditorPage({ id }: { id?: number }) {
  return (
    <RequireAdmin title={id ? "Edit product" : "New product"}>
      {id ? <EditLoader id={id} /> : <ProductForm />}
    </RequireAdmin>
  );
}

function EditLoader({ id }: { id: number }) {
  const product = useQuery(productQuery(id));
  if (product.isPending) return <p className="status">Loading…</p>;
  if (product.isError) return <ErrorMessage error={product.error} />;
  // Keyed by id: another product's form starts afresh.
  return <ProductForm key={id} initial={product.data} />;
}

function ProductForm({ initial }: { initial?: Product }) {
  const client = useQueryClient();
  const categories = useQuery(categoriesQuery());
  /** The version this form edits from: what If-Match sends. */
  const [base, setBase] = useState<Product | undefined>(initial);
  const [draft, setDraft] = useState<ProductDraft>(initial ? draftOf(initial) : emptyDraft());
  const [problems, setProblems] = useState<ReturnType<typeof draftProblems>>({});
  const [saved, setSaved] = useState<string>();
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  const showSaved = (product: Product) => {
    // The writer sees its own write at once: the response is the new state.
    client.setQueryData(queryKeys.productDetail(product.id), product);
    void client.invalidateQueries({ queryKey: queryKeys.productLists() });
    setBase(product);
    setDraft(draftOf(product));
    setSaved(`Saved (version ${product.version}).`);
  };

  const save = useMutation({
    mutationFn: async ({ from, values }: { from: Product | undefined; values: ProductDraft }) => {
      if (!from) return createProduct(toCreate(values), idempotencyKey);
      return updateProduct(from.id, from.version, changesFrom(draftOf(from), values));
    },
    onSuccess: (product, { from }) => {
      showSaved(product);
      if (!from) navigate(paths.adminEdit(product.id), { replace: true });
    },
  });

  const remove = useMutation({
    mutationFn: (from: Product) => deleteProduct(from.id, from.version),
    onSuccess: (_void, from) => {
      client.removeQueries({ queryKey: queryKeys.productDetail(from.id) });
      void client.invalidateQueries({ queryKey: queryKeys.productLists() });
      navigate(paths.catalogue);
    },
  });

  const conflict = conflictOf(save.error) ?? conflictOf(remove.error);
  const set = (field: keyof ProductDraft) => (e: { target: { value: string } }) => {
    setSaved(undefined);
    setDraft((d) => ({ ...d, [field]: e.target.value }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = draftProblems(draft);
    setProblems(found);
    if (Object.keys(found).length > 0) {
      document.getElementById(`product-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    if (base && Object.keys(changesFrom(draftOf(base), draft)).length === 0) {
      setSaved("Nothing to save: no field was changed.");
      return;
    }
    save.mutate({ from: base, values: draft });
  };

  /** 412: keep my edits on top of the current version and send them again. */
  const retryOnCurrent = (current: Product) => {
    const next = rebase(draftOf(base!), draft, draftOf(current));
    client.setQueryData(queryKeys.productDetail(current.id), current);
    setBase(current);
    setDraft(next);
    save.reset();
    remove.reset();
    save.mutate({ from: current, values: next });
  };
  const discardMine = (current: Product) => {
    client.setQueryData(queryKeys.productDetail(current.id), current);
    setBase(current);
    setDraft(draftOf(current));
    save.reset();
    remove.reset();
  };

  const fieldErrors = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const errorFor = (f: keyof ProductDraft) =>
    problems[f] ?? fieldErrors[f === "price" ? "priceCents" : f];

  return (
    <section className="editor">
      <h1 tabIndex={-1}>{base ? `Edit “${base.name}”` : "New product"}</h1>
      {base && (
        <p className="muted">
          Version {base.version} · <Link href={paths.product(base.id)}>View in the shop</Link>
        </p>
      )}
      {conflict && base && (
        <ConflictPanel
          base={draftOf(base)}
          mine={draft}
          current={conflict}
          deleting={remove.isError}
          onRetry={() => retryOnCurrent(conflict)}
          onDiscard={() => discardMine(conflict)}
        />
      )}
      <form onSubmit={submit} noValidate>
        <Field
          id="product-name"
          label="Name"
          required
          value={draft.name}
          error={errorFor("name")}
          onChange={set("name")}
        />
        <Field
          id="product-description"
          label="Description"
          multiline
          value={draft.description}
          error={errorFor("description")}
          onChange={set("description")}
        />
        <div className="row">
          <Field
            id="product-price"
            label="Price (EUR)"
            inputMode="decimal"
            required
            value={draft.price}
            error={errorFor("price")}
            onChange={set("price")}
          />
          <Field
            id="product-stock"
            label="Stock"
            inputMode="numeric"
            required
            value={draft.stock}
            error={errorFor("stock")}
            onChange={set("stock")}
          />
          <div className="field">
            <label htmlFor="product-categoryId">Category</label>
            <select
              id="product-categoryId"
              value={draft.categoryId}
              onChange={set("categoryId")}
              aria-invalid={errorFor("categoryId") ? true : undefined}
              aria-describedby={errorFor("categoryId") ? "product-categoryId-error" : undefined}
            >
              <option value="">Choose…</option>
              {categories.data?.items.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            {errorFor("categoryId") && (
              <small id="product-categoryId-error" className="field-error">
                {errorFor("categoryId")}
              </small>
            )}
          </div>
        </div>
        {!conflict && <ErrorMessage error={save.error ?? remove.error} />}
        <p className="status" role="status">
          {saved}
        </p>
        <div className="actions">
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : base ? "Save changes" : "Create product"}
          </button>
          {base && (
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm(`Delete “${base.name}”? This cannot be undone.`))
                  remove.mutate(base);
              }}
            >
              Delete
            </button>
          )}
        </div>
      </form>
      {base && <ImageUpload productId={base.id} />}
    </section>
  );
}
