import { Metrics } from "@aws-lambda-powertools/metrics";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PowertoolsMetricsSink } from "../../../shared/adapters/powertools-metrics";
import { METRICS_NAMESPACE } from "../../../shared/domain/metrics";

const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
afterEach(() => {
  vi.restoreAllMocks();
  process.env.POWERTOOLS_METRICS_DISABLED = disabled;
});

interface EmfLine {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [field: string]: unknown;
}

/** One embedded-metric-format line per metric, in the namespace, with only declared dimensions. */
describe("PowertoolsMetricsSink", () => {
  it("writes each metric at once, dropping undeclared dimensions", () => {
    const lines: EmfLine[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      for (const line of String(chunk).split("\n"))
        if (line.trim().startsWith("{")) lines.push(JSON.parse(line));
      return true;
    });
    // Enabled for this test (the unit tier turns metrics off through the environment).
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    const sink = new PowertoolsMetricsSink(
      new Metrics({ namespace: METRICS_NAMESPACE, serviceName: "control-plane" }),
    );
    sink.count("SessionsRefused", 1, { code: "NOT_GRANTED", tenantId: "tnt_secret" });
    sink.duration("SweepDuration", 1234);
    expect(lines).toHaveLength(2);
    const [refused, sweep] = lines;
    expect(refused?._aws.CloudWatchMetrics[0]?.Namespace).toBe("CrossAccountControlPlane");
    expect(refused?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([["service", "code"]]);
    expect(refused?.SessionsRefused).toBe(1);
    expect(refused?.code).toBe("NOT_GRANTED");
    expect(JSON.stringify(lines)).not.toContain("tnt_secret");
    // The previous metric's dimension does not stay behind.
    expect(sweep?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([["service"]]);
    expect(sweep).not.toHaveProperty("code");
    expect(sweep?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: "SweepDuration", Unit: "Milliseconds" },
    ]);
    expect(sweep?.SweepDuration).toBe(1234);
  });
});
