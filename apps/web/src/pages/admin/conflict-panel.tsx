import type { Product } from "@strata/contracts";
import { useEffect, useRef } from "react";
import { changedFields, draftOf, FIELD_LABELS, type ProductDraft } from "./product-draft.ts";

/**
 * A 412 in words: what someone else changed since this form was loaded, next to what the
 * admin typed, and two ways on: keep my edits on top of the current version, or take theirs.
 */
export function ConflictPanel({
  base,
  mine,
  current,
  deleting,
  onRetry,
  onDiscard,
}: {
  base: ProductDraft;
  mine: ProductDraft;
  current: Product;
  deleting: boolean;
  onRetry: () => void;
  onDiscard: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [current.version]);
  const theirs = draftOf(current);
  const changedByThem = changedFields(base, theirs);
  const changedByMe = new Set(changedFields(base, mine));

  return (
    <div className="conflict" role="alert" aria-labelledby="conflict-title">
      <h2 id="conflict-title" tabIndex={-1} ref={heading}>
        Someone else changed this product
      </h2>
      <p>
        It is now at version {current.version}.{" "}
        {deleting ? "It was not deleted." : "Your changes were not saved yet."}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">When you opened it</th>
            <th scope="col">Now</th>
            <th scope="col">Yours</th>
          </tr>
        </thead>
        <tbody>
          {changedByThem.map((field) => (
            <tr key={field} className={changedByMe.has(field) ? "clash" : undefined}>
              <th scope="row">{FIELD_LABELS[field]}</th>
              <td>{base[field]}</td>
              <td>{theirs[field]}</td>
              <td>{changedByMe.has(field) ? mine[field] : "(unchanged)"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        {!deleting && (
          <button type="button" onClick={onRetry}>
            Save my changes over version {current.version}
          </button>
        )}
        <button type="button" className="secondary" onClick={onDiscard}>
          {deleting ? "Reload the current version" : "Discard mine, show theirs"}
        </button>
      </div>
    </div>
  );
}
