/**
 * CassandraSinkTask: converts each record to one write per mapped table, groups writes by table and partition key
 * into unlogged batches, executes them under bounded concurrency, and returns from `put` only once every write is
 * acknowledged (so the offsets the runtime commits are always written: at-least-once, idempotent by writetime).
 *
 * Errors: a retriable driver failure that persists through the in-task retries throws a RetriableError (the
 * runtime redelivers the batch after `context.timeout`); a record that can never be written (conversion error,
 * rejected by Cassandra) is reported through the errant record reporter (→ DLQ with error headers when configured)
 * and skipped when `ignoreErrors` covers it, else fails the task. Nothing is dropped without a report.
 */
import { ConnectError, DataError, RetriableError, SinkTask } from '@kconnect/api';
import type { ConnectorProps, MetricCounter, MetricGauge, MetricHistogram, SinkRecord } from '@kconnect/api';
import type { Client } from 'cassandra-driver';
import { type SinkConfig, codecFor, parseSinkConfig } from './config';
import { Executor, type Item } from './executor';
import { newClient } from './session';
import { RecordError, TableWriter } from './table';
import { VERSION } from './version';

interface Metrics {
  written: MetricCounter;
  failed: MetricCounter;
  batchRecords: MetricHistogram;
  batchBytes: MetricHistogram;
  latency: MetricHistogram;
  inFlight: MetricGauge;
}

/** Connects and checks every mapping against the live schema; throws a ConnectError listing every problem. */
export async function connectAndCheck(cfg: SinkConfig): Promise<{ client: Client; writers: TableWriter[]; problems: string[] }> {
  const client = newClient(cfg);
  try {
    await client.connect();
  } catch (e) {
    await client.shutdown().catch(() => undefined);
    throw new ConnectError(`Cannot connect to Cassandra at ${cfg.global.contactPoints.join(',')}:${cfg.global.port}: ${(e as Error).message}`, { cause: e });
  }
  const writers = cfg.tables.map((t) => new TableWriter(t, codecFor(cfg, t.topic)));
  const problems: string[] = [];
  for (const w of writers) problems.push(...(await w.init(client)));
  return { client, writers, problems };
}

export class CassandraSinkTask extends SinkTask {
  private cfg!: SinkConfig;
  private client: Client | null = null;
  private byTopic = new Map<string, TableWriter[]>();
  private executor!: Executor;
  private metrics!: Metrics;
  private retries = 0;

  version(): string {
    return VERSION;
  }

  async start(props: ConnectorProps): Promise<void> {
    this.cfg = parseSinkConfig(props);
    const m = this.context.metrics;
    const tl = ['topic', 'keyspace', 'table'];
    this.metrics = {
      written: m.counter('cassandra_sink_records_written_total', 'Records written to Cassandra', tl),
      failed: m.counter('cassandra_sink_records_failed_total', 'Records that could not be written (reported/skipped or failing the task)', tl),
      batchRecords: m.histogram('cassandra_sink_batch_size_records', 'Records per CQL request (statement or unlogged batch)', ['keyspace', 'table'], [1, 2, 4, 8, 16, 32, 64, 128]),
      batchBytes: m.histogram('cassandra_sink_batch_size_bytes', 'Estimated bytes of bound values per CQL request', ['keyspace', 'table'], [256, 1024, 4096, 16384, 40960, 65536]),
      latency: m.histogram('cassandra_sink_cql_request_duration_seconds', 'CQL request latency', ['keyspace', 'table'], [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]),
      inFlight: m.gauge('cassandra_sink_requests_in_flight', 'CQL requests in flight'),
    };
    const { client, writers, problems } = await connectAndCheck(this.cfg);
    this.client = client;
    if (problems.length) {
      await this.stop();
      throw new ConnectError(`Invalid Cassandra sink mapping:\n${problems.join('\n')}`);
    }
    for (const w of writers) this.byTopic.set(w.cfg.topic, [...(this.byTopic.get(w.cfg.topic) ?? []), w]);
    const labelsOf = new Map(writers.map((w) => [w.fqtn, { keyspace: w.cfg.keyspace, table: w.cfg.table }]));
    const g = this.cfg.global;
    this.executor = new Executor(
      client,
      {
        maxConcurrent: g.maxConcurrentRequests,
        maxBatchRecords: g.maxNumberOfRecordsInBatch,
        maxBatchBytes: g.maxBatchSizeInBytes,
        maxAttempts: 5,
        baseBackoffMs: 100,
        maxBackoffMs: 2000,
        consistency: (op) => op.consistency,
      },
      {
        onRequest: (ops, bytes, secs) => {
          const fq = ops[0]!.group.slice(0, ops[0]!.group.indexOf('\u0001'));
          const l = labelsOf.get(fq);
          this.metrics.batchRecords.observe(l, ops.length);
          this.metrics.batchBytes.observe(l, bytes);
          this.metrics.latency.observe(l, secs);
        },
        onInFlight: (n) => this.metrics.inFlight.set(undefined, n),
        onRetry: (err, attempt, delay) =>
          this.context.logger.warn(`CQL request failed (attempt ${attempt}), retrying in ${Math.round(delay)} ms: ${(err as Error).message}`),
      },
    );
    this.context.logger.info(`Cassandra sink task started: ${writers.map((w) => `${w.cfg.topic} → ${w.fqtn}`).join(', ')}`);
  }

  async put(records: SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const items: Item<SinkRecord>[] = [];
    const itemWriter = new Map<Item<SinkRecord>, TableWriter>();
    const failures: { record: SinkRecord; error: Error; kind: 'mapping' | 'driver'; writer: TableWriter | null }[] = [];
    for (const record of records) {
      const writers = this.byTopic.get(record.topic);
      if (!writers) {
        failures.push({ record, error: new DataError(`No mapping for topic ${record.topic}: set topic.${record.topic}.<keyspace>.<table>.mapping`), kind: 'mapping', writer: null });
        continue;
      }
      for (const w of writers) {
        try {
          const item = { op: w.toOp(record), record };
          items.push(item);
          itemWriter.set(item, w);
        } catch (e) {
          const err = e instanceof RecordError ? new DataError(e.message, { cause: e.cause }) : new DataError(`Cannot write record to ${w.fqtn}: ${(e as Error).message}`, { cause: e });
          failures.push({ record, error: err, kind: 'mapping', writer: w });
        }
      }
    }
    const result = await this.executor.run(items);
    if (result.retriable) {
      this.retries++;
      const backoff = Math.min(10_000, 250 * 2 ** Math.min(this.retries, 6));
      this.context.timeout(backoff);
      throw new RetriableError(`Cassandra write failed, will retry in ${backoff} ms: ${(result.retriable as Error).message}`, { cause: result.retriable });
    }
    this.retries = 0;
    const written = new Map<TableWriter, number>();
    for (const it of result.written) {
      const w = itemWriter.get(it)!;
      written.set(w, (written.get(w) ?? 0) + 1);
    }
    for (const [w, n] of written) this.metrics.written.inc(w.labels, n);
    for (const { item, error } of result.failed) {
      const w = itemWriter.get(item)!;
      failures.push({
        record: item.record,
        error: new DataError(`Cassandra rejected a write to topic ${w.cfg.topic}, table ${w.fqtn}: ${(error as Error).message}`, { cause: error }),
        kind: 'driver',
        writer: w,
      });
    }
    for (const f of failures) await this.fail(f.record, f.error, f.kind, f.writer);
  }

  private async fail(record: SinkRecord, error: Error, kind: 'mapping' | 'driver', writer: TableWriter | null) {
    this.metrics.failed.inc(writer?.labels ?? { topic: record.topic, keyspace: '', table: '' });
    const mode = this.cfg.ignoreErrors;
    const ignored = mode === 'All' || (mode === 'Driver' && kind === 'driver');
    const where = `${record.topic}-${record.kafkaPartition}@${record.kafkaOffset}`;
    const reporter = this.context.errantRecordReporter();
    if (ignored) {
      if (reporter) {
        try {
          await reporter.report(record, error);
          return;
        } catch (e) {
          this.context.logger.debug(`errant record reporter refused ${where}: ${(e as Error).message}`);
        }
      }
      this.context.logger.error(`Skipping record ${where} (ignoreErrors=${mode}): ${error.message}`);
      return;
    }
    if (reporter) {
      await reporter.report(record, error); // throws when errors.tolerance=none: the task fails
      return;
    }
    throw error;
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.shutdown().catch(() => undefined);
  }
}
