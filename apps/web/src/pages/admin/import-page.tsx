import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import {
  getImport,
  importFinished,
  startImport,
  type ImportStatus,
} from "../../api/imports-api.ts";
import type { UploadProgress } from "../../api/upload-with-progress.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { formatNumber } from "../../components/format.ts";
import { ProgressBar } from "../../components/progress-bar.tsx";
import { queryKeys } from "../../queries/query-keys.ts";
import { RequireAdmin } from "./require-admin.tsx";

const STATE_WORDS: Record<ImportStatus["state"], string> = {
  waiting: "waiting for a worker",
  delayed: "waiting to retry",
  prioritized: "waiting for a worker",
  "waiting-children": "waiting",
  active: "importing",
  completed: "done",
  failed: "failed",
  unknown: "unknown",
};

/** How often a running import is asked for its progress (a job status, not catalogue data). */
const POLL_MS = 1000;

export function ImportPage() {
  return (
    <RequireAdmin title="Import products">
      <ImportForm />
    </RequireAdmin>
  );
}

function ImportForm() {
  const client = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [upload, setUpload] = useState<UploadProgress>();
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<unknown>();
  const [importId, setImportId] = useState<string>();

  const job = useQuery({
    queryKey: queryKeys.importJob(importId ?? ""),
    queryFn: ({ signal }) => getImport(importId!, signal),
    enabled: importId !== undefined,
    refetchInterval: (query) => (importFinished(query.state.data) ? false : POLL_MS),
  });
  const status = job.data;
  const done = importFinished(status);
  const completed = done && status?.state === "completed";
  useEffect(() => {
    // The catalogue changed; the API's live events say so too, this covers a missed one.
    if (completed) void client.invalidateQueries({ queryKey: queryKeys.productLists() });
  }, [completed, client]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) {
      setError(new Error("choose a CSV file first"));
      return;
    }
    setError(undefined);
    setImportId(undefined);
    setUploading(true);
    try {
      const started = await startImport(file, setUpload).done;
      setImportId(started.id);
    } catch (e) {
      setError(e);
    } finally {
      setUploading(false);
    }
  };

  const p = status?.progress;
  return (
    <section className="editor">
      <h1 tabIndex={-1}>Import products</h1>
      <p className="muted">
        A CSV file with a header row: <code>sku,name,price_cents,category</code>, optionally{" "}
        <code>description</code> and <code>stock</code>; <code>category</code> is a category slug. A
        row whose sku exists updates that product.
      </p>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="import-file">CSV file</label>
          <input id="import-file" ref={input} type="file" accept=".csv,text/csv" />
        </div>
        <button type="submit" disabled={uploading || (importId !== undefined && !done)}>
          {uploading ? "Uploading…" : "Start import"}
        </button>
      </form>
      {uploading && upload && (
        <ProgressBar label="Upload" value={upload.loaded} max={upload.total} />
      )}
      <ErrorMessage error={error ?? job.error} />

      {status && (
        <section className="panel" aria-labelledby="import-status">
          <h2 id="import-status">
            {status.fileName}: <span data-testid="import-state">{STATE_WORDS[status.state]}</span>
          </h2>
          <ProgressBar
            label="Import"
            value={done ? 1 : (p?.bytesRead ?? 0)}
            max={done ? 1 : (p?.byteSize ?? 0)}
          />
          {status.failedReason && <p className="error">The import failed: {status.failedReason}</p>}
          {p && (
            <dl className="facts inline" aria-live="polite">
              <dt>Rows read</dt>
              <dd>{formatNumber(p.rowsRead)}</dd>
              <dt>Inserted</dt>
              <dd>{formatNumber(p.inserted)}</dd>
              <dt>Updated</dt>
              <dd>{formatNumber(p.updated)}</dd>
              <dt>Unchanged</dt>
              <dd>{formatNumber(p.unchanged)}</dd>
              <dt>Rejected</dt>
              <dd>{formatNumber(p.rejected)}</dd>
            </dl>
          )}
          {p && p.errors.length > 0 && (
            <table>
              <caption>
                Rejected rows
                {p.rejected > p.errors.length ? ` (first ${p.errors.length} of ${p.rejected})` : ""}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">SKU</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {p.errors.map((row) => (
                  <tr key={row.line}>
                    <td>{row.line}</td>
                    <td>{row.sku ?? "–"}</td>
                    <td>{row.reasons.join("; ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </section>
  );
}
