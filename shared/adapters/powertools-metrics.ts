import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { METRICS, METRICS_NAMESPACE, type MetricName } from "../domain/metrics";
import type { MetricsSink } from "../ports";

/**
 * Metrics as CloudWatch embedded metric format lines (Powertools Metrics). Each one is a single
 * metric, written at once: nothing to flush at the end of an invocation, nothing lost when it
 * fails. POWERTOOLS_METRICS_DISABLED=true turns them off (tests).
 */
export class PowertoolsMetricsSink implements MetricsSink {
  constructor(
    private readonly metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: "control-plane",
    }),
  ) {}

  count(name: MetricName, value = 1, dimensions?: Record<string, string>): void {
    this.emit(name, MetricUnit.Count, value, dimensions);
  }

  duration(name: MetricName, ms: number, dimensions?: Record<string, string>): void {
    this.emit(name, MetricUnit.Milliseconds, ms, dimensions);
  }

  private emit(
    name: MetricName,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
    dimensions: Record<string, string> = {},
  ): void {
    const single = this.metrics.singleMetric();
    const allowed: readonly string[] = METRICS[name].dimensions;
    for (const [key, v] of Object.entries(dimensions)) {
      // Only the declared dimensions: a stray one (a tenant ID) would multiply the series.
      if (allowed.includes(key)) single.addDimension(key, v);
    }
    single.addMetric(name, unit, value);
  }
}
