import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { getOpsOverview } from "../../api/ops-api.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { formatNumber, formatPercent } from "../../components/format.ts";
import { LineChart } from "../../components/line-chart.tsx";
import { ProgressBar } from "../../components/progress-bar.tsx";
import { queryKeys } from "../../queries/query-keys.ts";
import { appendSample, instanceRates, tierRatios, type OpsSample } from "./ops-history.ts";
import { RequireAdmin } from "./require-admin.tsx";

/** The view polls on its own; metrics are live numbers, not catalogue data with a policy. */
const POLL_MS = 2000;

const TIERS = [
  { key: "browser", name: "browser (304)", color: "#2563eb" },
  { key: "nginx", name: "nginx", color: "#16a34a" },
  { key: "app", name: "app cache L1+L2", color: "#d97706" },
  { key: "appL1", name: "app cache L1", color: "#9333ea" },
] as const;

export function OpsPage() {
  return (
    <RequireAdmin title="Operations">
      <OpsView />
    </RequireAdmin>
  );
}

function OpsView() {
  const overview = useQuery({
    queryKey: queryKeys.ops(),
    queryFn: ({ signal }) => getOpsOverview(signal),
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
  });
  const [samples, setSamples] = useState<OpsSample[]>([]);
  const data = overview.data;
  useEffect(() => {
    if (data) setSamples((s) => appendSample(s, { at: Date.now(), overview: data }));
  }, [data]);

  if (overview.isPending) return <p className="status">Loading…</p>;
  if (!data) return <ErrorMessage error={overview.error} />;

  const rates = instanceRates(samples);
  const ratios = samples.map((_, i) => tierRatios(samples, i));
  const latest = ratios.at(-1);
  const rejected = data.instances.reduce((n, i) => n + i.rateLimited, 0);

  return (
    <section className="ops">
      <h1 tabIndex={-1}>Operations</h1>
      <p className="muted" aria-live="polite">
        Updated {new Date(data.collectedAt).toLocaleTimeString("en")} · refreshes every{" "}
        {POLL_MS / 1000} s
      </p>
      <ErrorMessage error={overview.error} />
      {data.problems.length > 0 && (
        <ul className="warnings">
          {data.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}

      <h2>Instances</h2>
      <table data-testid="ops-instances">
        <thead>
          <tr>
            <th scope="col">Instance</th>
            <th scope="col">Up</th>
            <th scope="col">Ready</th>
            <th scope="col">Phase</th>
            <th scope="col">Requests/s</th>
            <th scope="col">Served share</th>
            <th scope="col">Requests</th>
            <th scope="col">Rate-limited</th>
            <th scope="col">DB pool (in use / max, waiting)</th>
          </tr>
        </thead>
        <tbody>
          {data.instances.map((i, n) => {
            const rate = rates[n];
            return (
              <tr key={i.id} className={i.up ? undefined : "down"}>
                <th scope="row" title={i.url}>
                  {i.id}
                </th>
                <td>{i.up ? "yes" : "no"}</td>
                <td>{i.ready ? "yes" : "no"}</td>
                <td>{i.phase}</td>
                <td data-testid="ops-rps">
                  {rate === undefined || rate.perSecond === null
                    ? "–"
                    : formatNumber(rate.perSecond, 1)}
                </td>
                <td>{formatPercent(rate?.share ?? null)}</td>
                <td data-testid="ops-requests">{formatNumber(i.requests)}</td>
                <td>{formatNumber(i.rateLimited)}</td>
                <td>
                  {i.pool
                    ? `${i.pool.total - i.pool.idle} / ${i.pool.max}, ${i.pool.waiting} waiting`
                    : "–"}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <h2>Cache hit ratio by tier</h2>
      <div className="chart-row">
        <LineChart
          label="Hit ratio of each cache tier over the last minutes"
          series={TIERS.map((t) => ({
            name: t.name,
            color: t.color,
            values: ratios.map((r) => r[t.key]),
          }))}
        />
        <table data-testid="ops-tiers">
          <thead>
            <tr>
              <th scope="col">Tier</th>
              <th scope="col">Now</th>
            </tr>
          </thead>
          <tbody>
            {TIERS.map((t) => (
              <tr key={t.key}>
                <th scope="row">{t.name}</th>
                <td>{formatPercent(latest?.[t.key] ?? null)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted">
        {data.nginx
          ? `nginx: ${formatNumber(data.nginx.requests)} API requests in the last ${data.nginx.windowSeconds} s` +
            ` (${Object.entries(data.nginx.byCacheStatus)
              .map(([k, v]) => `${k === "-" ? "not cacheable" : k} ${v}`)
              .join(", ")})`
          : "nginx's access log is not readable from the API; its tier is not shown."}
      </p>

      <h2>Rate limits</h2>
      <p>
        <strong data-testid="ops-rate-limited">{formatNumber(rejected)}</strong> requests refused by
        a rate limit since the instances started.
      </p>

      <h2>Queues</h2>
      {data.queues.length === 0 ? (
        <p className="muted">No queue information.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Waiting</th>
              <th scope="col">Active</th>
              <th scope="col">Delayed</th>
              <th scope="col">Failed</th>
              <th scope="col">Completed</th>
            </tr>
          </thead>
          <tbody>
            {data.queues.map((q) => (
              <tr key={q.name}>
                <th scope="row">{q.name}</th>
                <td>{formatNumber(q.waiting)}</td>
                <td>{formatNumber(q.active)}</td>
                <td>{formatNumber(q.delayed)}</td>
                <td>{formatNumber(q.failed)}</td>
                <td>{formatNumber(q.completed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data.jobs.map((job) => (
        <ProgressBar
          key={job.id}
          label={`${job.queue} ${job.id}`}
          value={job.percent ?? 0}
          max={100}
        />
      ))}
    </section>
  );
}
