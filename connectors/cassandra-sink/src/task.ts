/**
 * CassandraSinkTask: converts each record to one write per mapped table, groups writes by table and partition key
 * into unlogged batches and executes them under bounded concurrency. One put's writes run while the next batch is
 * fetched and converted; the next put waits for them before writing (same-key order), and `preCommit` waits for
 * them too, so the offsets the runtime commits are always written (at-least-once, idempotent by writetime).
 *
 * Errors: a retriable driver failure that persists through the in-task retries rewinds the partitions to their
 * lowest unwritten offset (SinkTaskContext.offset) after a back-off; a record that can never be written (conversion error,
 * rejected by Cassandra) is reported through the errant record reporter (→ DLQ with error headers when configured)
 * and skipped when `ignoreErrors` covers it, else fails the task. Nothing is dropped without a report.
 */
import { ConnectError, DataError, SinkTask } from '@kconnect/api';
import type { ConnectorProps, MetricCounter, MetricGauge, MetricHistogram, SinkRecord, TopicPartitionOffset } from '@kconnect/api';
import type { Client } from 'cassandra-driver';
import { type SinkConfig, codecFor, parseSinkConfig } from './config';
import { Executor, type Item, type RunResult } from './executor';
import { connectClient, settingAtFault } from './session';
import { RecordError, TableWriter } from './table';
import { VERSION } from './version';

/** The key of a topic partition in `holds` and in rewinds. */
const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

interface Failure {
  record: SinkRecord;
  error: Error;
  kind: 'mapping' | 'driver';
  writer: TableWriter | null;
}

interface Pending {
  records: SinkRecord[];
  items: Item<SinkRecord>[];
  failures: Failure[];
  result: Promise<RunResult<SinkRecord>>;
}

interface Metrics {
  written: MetricCounter;
  failed: MetricCounter;
  batchRecords: MetricHistogram;
  batchBytes: MetricHistogram;
  latency: MetricHistogram;
  inFlight: MetricGauge;
  concurrencyLimit: MetricGauge;
  requestErrors: MetricCounter;
}

/** Connects and checks every mapping against the live schema; throws a ConnectError listing every problem. */
export async function connectAndCheck(cfg: SinkConfig): Promise<{ client: Client; writers: TableWriter[]; problems: string[] }> {
  let client: Client;
  try {
    client = await connectClient(cfg);
  } catch (e) {
    const fault = settingAtFault(cfg, e);
    const why = fault ? `${fault.key}: ${fault.message}` : (e as Error).message;
    throw new ConnectError(`Cannot connect to Cassandra at ${cfg.global.contactPoints.join(',')}:${cfg.global.port}: ${why}`, { cause: e });
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
  private pending: Pending | null = null;
  /** A bad-record report that failed (ignoreErrors=None, no tolerance): fails the task at the next put. */
  private fatal: Error | null = null;
  /** Per `topic\0partition`: an offset not to commit past (a rewound, not yet rewritten record). */
  private readonly holds = new Map<string, number>();
  private inFlightTimer: ReturnType<typeof setInterval> | null = null;

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
      batchRecords: m.histogram(
        'cassandra_sink_batch_size_records',
        'Records per CQL request (statement or unlogged batch)',
        ['keyspace', 'table'],
        [1, 2, 4, 8, 16, 32, 64, 128],
      ),
      batchBytes: m.histogram(
        'cassandra_sink_batch_size_bytes',
        'Estimated bytes of bound values per CQL request',
        ['keyspace', 'table'],
        [256, 1024, 4096, 16384, 40960, 65536],
      ),
      latency: m.histogram(
        'cassandra_sink_cql_request_duration_seconds',
        'CQL request latency',
        ['keyspace', 'table'],
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      ),
      inFlight: m.gauge('cassandra_sink_requests_in_flight', 'CQL requests in flight'),
      concurrencyLimit: m.gauge(
        'cassandra_sink_requests_in_flight_limit',
        'Current limit of CQL requests in flight (maxConcurrentRequests, halved after timeouts/Overloaded, then grown back)',
      ),
      requestErrors: m.counter(
        'cassandra_sink_request_errors_total',
        'Failed CQL request attempts by error (retried when retriable: timeouts, Overloaded, unavailable hosts)',
        ['keyspace', 'table', 'error'],
      ),
    };
    if (this.cfg.global.compression.toLowerCase() !== 'none')
      this.context.logger.warn(`compression=${this.cfg.global.compression} is ignored: the Node.js driver has no protocol compression`);
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
        onRequest: (ops, bytes, secs, error) => {
          const l = labelsOf.get(ops[0]!.writer.fqtn);
          if (error) this.metrics.requestErrors.inc({ ...l, error: (error as Error).name || 'Error' });
          this.metrics.batchRecords.observe(l, ops.length);
          this.metrics.batchBytes.observe(l, bytes);
          this.metrics.latency.observe(l, secs);
        },
        onRetry: (err, attempt, delay) =>
          this.context.logger.debug(`CQL request failed (attempt ${attempt}), retrying in ${Math.round(delay)} ms: ${(err as Error).message}`),
      },
    );
    this.inFlightTimer = setInterval(() => {
      this.metrics.inFlight.set(undefined, this.executor.inFlightNow);
      this.metrics.concurrencyLimit.set(undefined, this.executor.currentLimit);
    }, 1000);
    this.inFlightTimer.unref();
    this.context.logger.info(`Cassandra sink task started: ${writers.map((w) => `${w.cfg.topic} → ${w.fqtn}`).join(', ')}`);
  }

  /**
   * Converts the records, waits for the previous put's writes (so writes of one key stay in order), then starts
   * this put's writes and returns: Kafka fetching and conversion of the next batch overlap with these writes.
   * A persistent retriable failure of the previous writes rewinds every partition involved to its lowest unwritten
   * offset (this batch is dropped and redelivered too), after a back-off; `preCommit` never commits past it.
   */
  async put(records: SinkRecord[]): Promise<void> {
    if (this.fatal) throw this.fatal;
    if (records.length === 0) {
      await this.settle();
      return;
    }
    const prepared = this.prepare(records);
    if (!(await this.settle(records))) return;
    const pending: Pending = { ...prepared, records, result: Promise.resolve(null as never) };
    // Metrics and bad-record reports as soon as the writes finish; a fatal report error surfaces at the next call.
    pending.result = this.executor.run(prepared.items).then((r) => this.complete(pending, r));
    pending.result.catch(() => undefined);
    this.pending = pending;
  }

  /** After a put's writes: metrics, holds released, bad records reported (may throw: ignoreErrors=None). */
  private async complete(p: Pending, result: RunResult<SinkRecord>): Promise<RunResult<SinkRecord>> {
    if (result.retriable) return result;
    if (this.holds.size)
      for (const r of p.records) {
        const k = tpKey(r.topic, r.kafkaPartition);
        const h = this.holds.get(k);
        if (h !== undefined && r.kafkaOffset <= h) this.holds.delete(k);
      }
    const written = new Map<TableWriter, number>();
    for (const it of result.written) written.set(it.op.writer, (written.get(it.op.writer) ?? 0) + 1);
    for (const [w, n] of written) this.metrics.written.inc(w.labels, n);
    const failures = [...p.failures];
    for (const { item, error } of result.failed) {
      const w = item.op.writer;
      failures.push({
        record: item.record,
        error: new DataError(`Cassandra rejected a write to topic ${w.cfg.topic}, table ${w.fqtn}: ${(error as Error).message}`, { cause: error }),
        kind: 'driver',
        writer: w,
      });
    }
    for (const f of failures) await this.fail(f.record, f.error, f.kind, f.writer);
    return result;
  }

  private prepare(records: SinkRecord[]): Omit<Pending, 'records' | 'result'> {
    const items: Item<SinkRecord>[] = [];
    const failures: Failure[] = [];
    for (const record of records) {
      const writers = this.byTopic.get(record.topic);
      if (!writers) {
        failures.push({
          record,
          error: new DataError(`No mapping for topic ${record.topic}: set topic.${record.topic}.<keyspace>.<table>.mapping`),
          kind: 'mapping',
          writer: null,
        });
        continue;
      }
      for (const w of writers) {
        try {
          items.push({ op: w.toOp(record), record });
        } catch (e) {
          const err =
            e instanceof RecordError
              ? new DataError(e.message, { cause: e.cause })
              : new DataError(`Cannot write record to ${w.fqtn}: ${(e as Error).message}`, { cause: e });
          failures.push({ record, error: err, kind: 'mapping', writer: w });
        }
      }
    }
    return { items, failures };
  }

  /**
   * Waits for the writes in flight. Returns true when they succeeded (their bad records reported); false after a
   * retriable failure, once the partitions of those records and of `next` were rewound.
   */
  private async settle(next: SinkRecord[] = []): Promise<boolean> {
    const p = this.pending;
    if (!p) return true;
    this.pending = null;
    let result: RunResult<SinkRecord>;
    try {
      result = await p.result;
    } catch (e) {
      this.fatal = e as Error;
      throw e;
    }
    if (result.retriable) {
      const rewind = new Map<string, TopicPartitionOffset>();
      for (const r of [...p.records, ...next]) {
        const k = tpKey(r.topic, r.kafkaPartition);
        const cur = rewind.get(k);
        if (!cur || r.kafkaOffset < cur.offset) rewind.set(k, { topic: r.topic, partition: r.kafkaPartition, offset: r.kafkaOffset });
      }
      this.context.offset([...rewind.values()]);
      for (const [k, o] of rewind) this.holds.set(k, Math.min(this.holds.get(k) ?? Number.MAX_SAFE_INTEGER, o.offset));
      this.retries++;
      const backoff = Math.min(10_000, 250 * 2 ** Math.min(this.retries, 6));
      if (this.retries === 1 || this.retries % 10 === 0)
        this.context.logger.warn(
          `Cassandra write failed (${this.retries} time(s) in a row); rewinding ${[...rewind.values()].map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(', ')} and retrying in ${backoff} ms: ${(result.retriable as Error).message}`,
        );
      if (next.length) await new Promise((r) => setTimeout(r, backoff));
      return false;
    }
    this.retries = 0;
    return true;
  }

  /** Waits for the writes in flight; commits nothing past a record that is not written (rewound partitions). */
  override async preCommit(currentOffsets: TopicPartitionOffset[]): Promise<TopicPartitionOffset[]> {
    await this.settle();
    return currentOffsets.map((o) => {
      const h = this.holds.get(tpKey(o.topic, o.partition));
      return h !== undefined && h < o.offset ? { ...o, offset: h } : o;
    });
  }

  override async close(): Promise<void> {
    await this.settle();
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
    if (this.inFlightTimer) clearInterval(this.inFlightTimer);
    await this.settle().catch(() => undefined);
    const c = this.client;
    this.client = null;
    if (c) await c.shutdown().catch(() => undefined);
  }
}
