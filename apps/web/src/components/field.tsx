import { useId, type InputHTMLAttributes, type ReactNode } from "react";

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  multiline?: boolean;
}

/**
 * A labelled input with its hint and error tied to it (aria-describedby), so a screen reader
 * reads the error when the field gets focus, and `aria-invalid` marks the field itself.
 */
export function Field({ label, error, hint, multiline, id, ...input }: FieldProps) {
  const generated = useId();
  const inputId = id ?? generated;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  const describedBy = [hint ? hintId : "", error ? errorId : ""].filter(Boolean).join(" ");
  const common = {
    id: inputId,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy || undefined,
  };
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      {multiline ? (
        <textarea
          {...common}
          name={input.name}
          value={input.value as string}
          onChange={input.onChange as never}
          required={input.required}
          rows={5}
        />
      ) : (
        <input {...common} {...input} />
      )}
      {hint && (
        <small id={hintId} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={errorId} className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}
