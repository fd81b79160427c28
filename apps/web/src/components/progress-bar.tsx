/** A native <progress> with a visible label and percentage (screen readers read both). */
export function ProgressBar({ label, value, max }: { label: string; value: number; max: number }) {
  const percent = max > 0 ? Math.min(100, Math.round((value / max) * 100)) : 0;
  return (
    <div className="progress">
      <span id={`progress-${label}`}>{label}</span>
      <progress aria-labelledby={`progress-${label}`} value={percent} max={100}>
        {percent}%
      </progress>
      <span className="progress-value">{percent}%</span>
    </div>
  );
}
