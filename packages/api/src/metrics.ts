/**
 * Metrics a plugin can publish on the worker's `/metrics` endpoint (Prometheus). Every series automatically
 * carries the `connector` label (and `task` for task metrics); asking twice for the same name returns the same
 * metric, so every task of a connector can register it in `start()`.
 *
 * @example
 * const written = this.context.metrics.counter('cassandra_sink_records_written_total', 'Rows written', ['table']);
 * written.inc({ table: 'iot.readings' }, batch.length);
 */
export type MetricLabels = Record<string, string>;

export interface MetricCounter {
  inc(labels?: MetricLabels, value?: number): void;
}

export interface MetricGauge {
  set(labels: MetricLabels | undefined, value: number): void;
  inc(labels?: MetricLabels, value?: number): void;
  dec(labels?: MetricLabels, value?: number): void;
}

export interface MetricHistogram {
  /** Records one observation (seconds for durations, by Prometheus convention). */
  observe(labels: MetricLabels | undefined, value: number): void;
}

export interface PluginMetrics {
  /** A counter named `name` (use a `_total` suffix); `labelNames` are the extra labels the plugin sets. */
  counter(name: string, help: string, labelNames?: string[]): MetricCounter;
  gauge(name: string, help: string, labelNames?: string[]): MetricGauge;
  histogram(name: string, help: string, labelNames?: string[], buckets?: number[]): MetricHistogram;
}
