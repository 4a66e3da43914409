/**
 * Prometheus metrics (prom-client) under Kafka Connect's metric names, mapped the way the JMX exporter maps
 * them: `kafka.connect:type=source-task-metrics,connector=c,task=0 source-record-poll-total` becomes
 * `kafka_connect_source_task_metrics_source_record_poll_total{connector="c",task="0"}`. Rates (Java's `-rate`
 * attributes) are `rate()` over the `_total` counters in Prometheus.
 */
import type { MetricLabels, PluginMetrics } from '@kconnect/api';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const TASK = ['connector', 'task'] as const;

export class WorkerMetrics {
  readonly registry = new Registry();

  // source-task-metrics
  readonly sourceRecordPoll = new Counter({
    name: 'kafka_connect_source_task_metrics_source_record_poll_total',
    help: 'Records produced or polled by the task, before transformations.',
    labelNames: TASK,
    registers: [this.registry],
  });
  readonly sourceRecordWrite = new Counter({
    name: 'kafka_connect_source_task_metrics_source_record_write_total',
    help: 'Records output from the transformations and acknowledged by Kafka.',
    labelNames: TASK,
    registers: [this.registry],
  });
  readonly sourceRecordActive = new Gauge({
    name: 'kafka_connect_source_task_metrics_source_record_active_count',
    help: 'Records polled but not yet acknowledged by Kafka.',
    labelNames: TASK,
    registers: [this.registry],
  });
  readonly pollBatchTime = new Histogram({
    name: 'kafka_connect_source_task_metrics_poll_batch_time_seconds',
    help: 'Time to poll a batch of source records.',
    labelNames: TASK,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  // sink-task-metrics
  readonly sinkRecordRead = new Counter({
    name: 'kafka_connect_sink_task_metrics_sink_record_read_total',
    help: 'Records read from Kafka by the task.',
    labelNames: TASK,
    registers: [this.registry],
  });
  readonly sinkRecordSend = new Counter({
    name: 'kafka_connect_sink_task_metrics_sink_record_send_total',
    help: 'Records output from the transformations and sent to the task.',
    labelNames: TASK,
    registers: [this.registry],
  });
  readonly sinkRecordLagMax = new Gauge({
    name: 'kafka_connect_sink_task_metrics_sink_record_lag_max',
    help: "Records the task is behind the end of its partitions: the largest lag over its assigned partitions (Java's sink-record-lag-max), measured every 5 s.",
    labelNames: TASK,
    registers: [this.registry],
  });
  readonly putBatchTime = new Histogram({
    name: 'kafka_connect_sink_task_metrics_put_batch_time_seconds',
    help: 'Time taken by put() for a batch.',
    labelNames: TASK,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly sinkOffsetCommitCompletion = new Counter({
    name: 'kafka_connect_sink_task_metrics_offset_commit_completion_total',
    help: 'Offset commits that completed successfully.',
    labelNames: TASK,
    registers: [this.registry],
  });
  // connector-task-metrics
  readonly offsetCommitSuccess = new Counter({
    name: 'kafka_connect_connector_task_metrics_offset_commit_success_total',
    help: 'Successful offset commits.',
    labelNames: TASK,
    registers: [this.registry],
  });
  readonly offsetCommitFailure = new Counter({
    name: 'kafka_connect_connector_task_metrics_offset_commit_failure_total',
    help: 'Failed offset commits.',
    labelNames: TASK,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'kafka_connect_connector_task_metrics_batch_size',
    help: 'Records per batch processed by the task.',
    labelNames: TASK,
    buckets: [1, 10, 100, 500, 1000, 5000, 10000],
    registers: [this.registry],
  });
  // task-error-metrics
  readonly recordsSkipped = new Counter({
    name: 'kafka_connect_task_error_metrics_total_records_skipped',
    help: 'Records skipped due to errors (errors.tolerance=all).',
    labelNames: TASK,
    registers: [this.registry],
  });
  readonly dlqProduceRequests = new Counter({
    name: 'kafka_connect_task_error_metrics_deadletterqueue_produce_requests_total',
    help: 'Records written to the dead letter queue.',
    labelNames: TASK,
    registers: [this.registry],
  });
  // connect-worker-metrics
  readonly connectorCount = new Gauge({
    name: 'kafka_connect_connect_worker_metrics_connector_count',
    help: 'Connectors run in this worker.',
    registers: [this.registry],
  });
  readonly taskCount = new Gauge({ name: 'kafka_connect_connect_worker_metrics_task_count', help: 'Tasks run in this worker.', registers: [this.registry] });
  readonly connectorTaskStates = new Gauge({
    name: 'kafka_connect_connect_worker_metrics_connector_task_count',
    help: "Tasks of a connector on this worker by state (Java's connector-{running,paused,failed,unassigned,restarting}-task-count).",
    labelNames: ['connector', 'state'],
    registers: [this.registry],
  });
  readonly taskStartupSuccess = new Counter({
    name: 'kafka_connect_connect_worker_metrics_task_startup_success_total',
    help: 'Task starts that succeeded.',
    registers: [this.registry],
  });
  readonly taskStartupFailure = new Counter({
    name: 'kafka_connect_connect_worker_metrics_task_startup_failure_total',
    help: 'Task starts that failed.',
    registers: [this.registry],
  });
  readonly connectorStartupSuccess = new Counter({
    name: 'kafka_connect_connect_worker_metrics_connector_startup_success_total',
    help: 'Connector starts that succeeded.',
    registers: [this.registry],
  });
  readonly connectorStartupFailure = new Counter({
    name: 'kafka_connect_connect_worker_metrics_connector_startup_failure_total',
    help: 'Connector starts that failed.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'kconnect_' });
  }

  /** Removes every series of a task (after it stopped), so stale tasks disappear from /metrics. */
  removeTask(connector: string, task: number): void {
    const labels = { connector, task: String(task) };
    for (const m of [
      this.sourceRecordPoll,
      this.sourceRecordWrite,
      this.sourceRecordActive,
      this.pollBatchTime,
      this.sinkRecordRead,
      this.sinkRecordSend,
      this.sinkRecordLagMax,
      this.putBatchTime,
      this.sinkOffsetCommitCompletion,
      this.offsetCommitSuccess,
      this.offsetCommitFailure,
      this.batchSize,
      this.recordsSkipped,
      this.dlqProduceRequests,
    ]) {
      m.remove(labels);
    }
  }
}

type Bound = Record<string, string>;

/**
 * The {@link PluginMetrics} of one connector or task: get-or-create metrics in the worker's registry with the
 * `connector` (and `task`) labels added to every series.
 */
export function pluginMetrics(registry: Registry, bound: Bound): PluginMetrics {
  const fixed = Object.keys(bound);
  const get = <M>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? make();
  const labels = (l?: MetricLabels) => ({ ...l, ...bound });
  return {
    counter(name, help, labelNames = []) {
      const c = get(name, () => new Counter({ name, help, labelNames: [...fixed, ...labelNames], registers: [registry] }));
      return { inc: (l, v = 1) => c.inc(labels(l), v) };
    },
    gauge(name, help, labelNames = []) {
      const g = get(name, () => new Gauge({ name, help, labelNames: [...fixed, ...labelNames], registers: [registry] }));
      return { set: (l, v) => g.set(labels(l), v), inc: (l, v = 1) => g.inc(labels(l), v), dec: (l, v = 1) => g.dec(labels(l), v) };
    },
    histogram(name, help, labelNames = [], buckets) {
      const h = get(name, () => new Histogram({ name, help, labelNames: [...fixed, ...labelNames], ...(buckets ? { buckets } : {}), registers: [registry] }));
      return { observe: (l, v) => h.observe(labels(l), v) };
    },
  };
}
