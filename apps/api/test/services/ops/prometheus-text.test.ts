import { describe, expect, it } from "vitest";
import { parsePrometheusText, sumOf } from "../../../src/services/ops/prometheus-text.ts";

describe("parsePrometheusText", () => {
  const text = [
    "# HELP http_request_duration_seconds HTTP request duration",
    "# TYPE http_request_duration_seconds histogram",
    'http_request_duration_seconds_count{method="GET",route="/api/products",status="200",instance_id="api-1"} 12',
    'http_request_duration_seconds_count{method="GET",route="/ready",status="200",instance_id="api-1"} 5',
    'rate_limit_decisions_total{limiter="login",outcome="limited",instance_id="api-1"} 3',
    'weird{label="a \\"quoted\\" value"} 1.5',
    "no_labels 7",
  ].join("\n");

  it("reads names, labels and values, comments skipped", () => {
    const samples = parsePrometheusText(text);
    expect(samples).toHaveLength(5);
    expect(samples[3]).toEqual({
      name: "weird",
      labels: { label: 'a "quoted" value' },
      value: 1.5,
    });
    expect(samples[4]).toEqual({ name: "no_labels", labels: {}, value: 7 });
  });

  it("sums the samples whose labels match", () => {
    const samples = parsePrometheusText(text);
    expect(sumOf(samples, "http_request_duration_seconds_count")).toBe(17);
    expect(sumOf(samples, "http_request_duration_seconds_count", (l) => l.route !== "/ready")).toBe(
      12,
    );
  });
});
