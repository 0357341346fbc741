import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { METRICS, METRICS_NAMESPACE, type MetricName } from "../domain/metrics";
import type { MetricsSink } from "../ports/common";

/**
 * Metrics as CloudWatch embedded metric format lines (Powertools Metrics). Each one is a single
 * metric, written at once: nothing to flush at the end of an invocation, nothing lost when it
 * fails. POWERTOOLS_METRICS_DISABLED=true turns them off (tests).
 *
 * One single-metric instance, reused: it publishes on every addMetric and then clears its
 * dimensions. Powertools' `singleMetric()` per emission builds a whole Metrics object each time
 * (0.051 ms against 0.0075 ms here), on the broker's request path.
 */
export class PowertoolsMetricsSink implements MetricsSink {
  private readonly single: Metrics;

  constructor(
    metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: "control-plane",
    }),
  ) {
    this.single = metrics.singleMetric();
  }

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
    const allowed: readonly string[] = METRICS[name].dimensions;
    for (const [key, v] of Object.entries(dimensions)) {
      // Only the declared dimensions: a stray one (a tenant ID) would multiply the series.
      if (allowed.includes(key)) this.single.addDimension(key, v);
    }
    this.single.addMetric(name, unit, value);
  }
}
