export interface Series {
  name: string;
  color: string;
  /** One value per sample, null where there was nothing to measure. */
  values: (number | null)[];
}

/**
 * A small SVG line chart of ratios (0..1) over the last samples: no chart library for a few
 * polylines. The table beside it gives the same numbers as text.
 */
export function LineChart({ series, label }: { series: Series[]; label: string }) {
  const width = 480;
  const height = 140;
  const count = Math.max(2, ...series.map((s) => s.values.length));
  const x = (i: number) => (i / (count - 1)) * width;
  const y = (v: number) => height - v * height;
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={label}
        preserveAspectRatio="none"
      >
        {[0.25, 0.5, 0.75].map((g) => (
          <line key={g} x1={0} x2={width} y1={y(g)} y2={y(g)} className="gridline" />
        ))}
        {series.map((s) => {
          const points = s.values
            .map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`))
            .filter((p): p is string => p !== null);
          return (
            <polyline
              key={s.name}
              points={points.join(" ")}
              fill="none"
              stroke={s.color}
              strokeWidth={2}
            />
          );
        })}
      </svg>
      <figcaption>
        {series.map((s) => (
          <span key={s.name} className="legend">
            <i style={{ background: s.color }} /> {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
