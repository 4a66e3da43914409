/**
 * Runs one source task (Java's WorkerSourceTask): poll → transformations → converters → producer (acks=all).
 * Converted records gather in an accumulator that produce requests drain in order (up to the producer's
 * `maxInFlight` at once), so polling continues while Kafka acknowledges; a full accumulator makes polling wait
 * (back-pressure). Offsets are committed every `offset.flush.interval.ms` only for records Kafka acknowledged.
 */
import {
  type PluginLogger,
  type PluginMetrics,
  type ConnectorProps,
  type OffsetMap,
  type RecordMetadata,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
  isRetriable,
} from '@kconnect/api';
import type { KafkaHeaders, KafkaProducer, ProducedRecordMetadata, ProducerRecord } from '../kafka/client';
import type { WorkerMetrics } from '../metrics/metrics';
import type { Logger } from '../logging';
import { canonicalJson, type OffsetStore } from '../storage/offset-store';
import type { ErrorHandler } from './error-handler';
import { atStage, staged } from './failure';
import type { TaskConverters, TransformStep } from './plugins';
import { SubmittedRecords, type SubmittedRecord } from './submitted-records';
import { type ConnectorTaskId, TaskExecutor, type TargetState, type TaskStatusListener, sleep, withTimeout } from './task-executor';

export interface SourceExecutorDeps {
  task: SourceTask;
  taskConfig: ConnectorProps;
  /** The logger handed to the task through its context. */
  pluginLogger: PluginLogger;
  pluginMetrics: PluginMetrics;
  converters: TaskConverters;
  transforms: TransformStep<SourceRecord>[];
  producer: KafkaProducer;
  offsetStore: OffsetStore;
  errorHandler: ErrorHandler;
  metrics: WorkerMetrics;
  offsetFlushIntervalMs: number;
  offsetFlushTimeoutMs: number;
  /** Called with each topic the task produced to (topic tracking). */
  onTopic: (topic: string) => void;
}

/** A record on its way to Kafka: the task's record, its offset tracking, and what the producer sends. */
type Pending = { record: SourceRecord; submitted: SubmittedRecord | null; produced: ProducerRecord };

/** The Kafka headers of a record without any: shared, never written to. */
const NO_HEADERS = Object.freeze([]) as unknown as KafkaHeaders;

const RETRY_POLL_BACKOFF_MS = 100;
/** Records converted and waiting to be sent, at most (back-pressure on poll()). */
const MAX_ACCUMULATED = 10_000;
/** Records in one produce request, at most. */
const MAX_PER_REQUEST = 5_000;

/** `f(v)`, right away when `v` is a value, after it resolves when it is a promise. */
function chain<A, B>(v: A | Promise<A>, f: (a: A) => B | Promise<B>): B | Promise<B> {
  return v instanceof Promise ? v.then(f) : f(v);
}

export class SourceTaskExecutor extends TaskExecutor {
  private readonly submitted = new SubmittedRecords();
  private taskStopped: Promise<void> = Promise.resolve();
  private readonly unflushed = new Map<string, { partition: OffsetMap; offset: OffsetMap }>();
  /** Converted records waiting for the next produce request. */
  private readonly accumulator: Pending[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private lastCommit = Date.now();
  private committing: Promise<void> | null = null;
  private readonly labels: { connector: string; task: string };
  protected readonly errorHandler: ErrorHandler;
  private readonly topics = new Set<string>();

  constructor(
    id: ConnectorTaskId,
    initialState: TargetState,
    listener: TaskStatusListener,
    log: Logger,
    private readonly d: SourceExecutorDeps,
  ) {
    super(id, initialState, listener, log);
    this.errorHandler = d.errorHandler;
    this.labels = { connector: id.connector, task: String(id.task) };
  }

  protected async execute(): Promise<void> {
    const { task, offsetStore } = this.d;
    const connector = this.id.connector;
    const context: SourceTaskContext = {
      configs: () => this.d.taskConfig,
      logger: this.d.pluginLogger,
      metrics: this.d.pluginMetrics,
      offsetStorageReader: {
        offset: async (partition: OffsetMap) => offsetStore.get(connector, partition),
        offsets: async (partitions: OffsetMap[]) => {
          const m = new Map<OffsetMap, OffsetMap>();
          for (const p of partitions) {
            const o = offsetStore.get(connector, p);
            if (o) m.set(p, o);
          }
          return m;
        },
      },
    };
    await staged('TASK_START', async () => {
      task.initialize(context);
      await task.start(this.d.taskConfig);
    });
    this.reportStarted();

    try {
      while (!this.stopping && !this.failed) {
        if (this.targetState === 'PAUSED') {
          await this.maybeCommit(true);
          await this.awaitUnpaused();
          continue;
        }
        const t0 = process.hrtime.bigint();
        let records: SourceRecord[] | null;
        try {
          records = await task.poll();
        } catch (e) {
          // As Java: a RetriableException from poll() is logged and poll() is simply called again; anything else
          // fails the task.
          if (!isRetriable(e)) throw atStage(e, 'TASK_POLL');
          this.log.warn({ err: e }, 'RetriableException from SourceTask.poll(); polling again');
          await sleep(RETRY_POLL_BACKOFF_MS);
          continue;
        }
        this.d.metrics.pollBatchTime.observe(this.labels, Number(process.hrtime.bigint() - t0) / 1e9);
        // A pause that arrived during poll() takes effect now: the batch waits, unsent, for the resume. If the task
        // stops instead, the batch is dropped unsent and uncommitted, so it is polled again after a restart.
        if (records?.length) await this.awaitUnpaused();
        if (this.stopping) break;
        if (records?.length) {
          this.d.metrics.sourceRecordPoll.inc(this.labels, records.length);
          this.d.metrics.batchSize.observe(this.labels, records.length);
          await this.sendRecords(records);
        }
        await this.maybeCommit(false);
      }
    } finally {
      // Whatever ended the loop (stop or failure), records Kafka acknowledged are safe to commit, as in Java.
      await this.drainAndCommit();
    }
  }

  /** Transforms and converts a batch, then hands it to the producer (see {@link pump}). */
  private async sendRecords(records: SourceRecord[]): Promise<void> {
    const before = this.accumulator.length;
    for (const original of records) {
      const submitted = this.submitted.submit(original.sourcePartition, original.sourceOffset);
      const c = this.convert(original);
      const converted = c instanceof Promise ? await c : c;
      if (!converted) {
        // Dropped by a transformation or a tolerated error: nothing to wait for.
        this.submitted.ack(submitted);
        await this.commitRecord(original, null);
        continue;
      }
      this.accumulator.push({ record: original, submitted, produced: converted });
    }
    this.d.metrics.sourceRecordActive.set(this.labels, this.submitted.outstanding);
    if (this.failed || this.accumulator.length === before) return;
    // Like Java's producer: batches polled while the requests in flight are full wait in the accumulator and leave
    // together in the next request. A full accumulator makes poll() wait.
    this.pump();
    while (this.accumulator.length >= MAX_ACCUMULATED && !this.failed) await Promise.race(this.inFlight);
  }

  /**
   * Starts produce requests for what accumulated, at most the producer's `maxInFlight` at once; each finished
   * request starts the next.
   */
  private pump(): void {
    while (this.accumulator.length && !this.failed && this.inFlight.size < this.d.producer.maxInFlight) {
      const batch = this.accumulator.splice(0, MAX_PER_REQUEST);
      const request: Promise<void> = this.sendBatch(batch)
        .catch((e: unknown) => this.fail(e, 'KAFKA_PRODUCE'))
        .finally(() => {
          this.inFlight.delete(request);
          this.pump();
        });
      this.inFlight.add(request);
    }
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    let metadata: ProducedRecordMetadata[];
    try {
      metadata = await this.d.producer.send(batch.map((b) => b.produced));
    } catch (e) {
      this.fail(new Error(`Failed to send records to Kafka: ${(e as Error).message}`, { cause: e }), 'KAFKA_PRODUCE');
      return;
    }
    await this.onAcked(batch, metadata);
  }

  /** Resolves once every request in flight finished (and nothing is left to send, unless the task failed). */
  private async drained(): Promise<void> {
    while (this.inFlight.size) await Promise.all(this.inFlight);
  }

  private async onAcked(pending: Pending[], metadata: ProducedRecordMetadata[]): Promise<void> {
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      this.submitted.ack(p.submitted);
      const m = metadata[i]!;
      if (!this.topics.has(m.topic)) {
        this.topics.add(m.topic);
        this.d.onTopic(m.topic);
      }
      const rm: RecordMetadata = { topic: m.topic, partition: m.partition, offset: m.offset, timestamp: m.timestamp };
      await this.commitRecord(p.record, rm);
    }
    this.d.metrics.sourceRecordWrite.inc(this.labels, pending.length);
    this.d.metrics.sourceRecordActive.set(this.labels, this.submitted.outstanding);
  }

  /** The task's commitRecord(); as Java, what it throws is logged and does not fail the task. */
  private async commitRecord(record: SourceRecord, metadata: RecordMetadata | null): Promise<void> {
    try {
      await this.d.task.commitRecord(record, metadata);
    } catch (e) {
      this.log.error({ err: e }, 'Exception thrown while calling task.commitRecord()');
    }
  }

  /**
   * Transforms then converts a record. The direct path calls the transformations and converters without the error
   * handler's per-stage bookkeeping (and without a promise while they are synchronous); any failure sends the record
   * through `convertHandled`, which transforms and converts it again from the start with retries, tolerance and
   * reporting per stage — the same outcome, paid only for the records that fail.
   */
  private convert(original: SourceRecord): ProducerRecord | null | Promise<ProducerRecord | null> {
    try {
      const out = this.convertDirect(original, original, 0);
      return out instanceof Promise ? out.catch(() => this.convertHandled(original)) : out;
    } catch {
      return this.convertHandled(original);
    }
  }

  private convertDirect(original: SourceRecord, record: SourceRecord, from: number): ProducerRecord | null | Promise<ProducerRecord | null> {
    const steps = this.d.transforms;
    let rec = record;
    for (let i = from; i < steps.length; i++) {
      const step = steps[i]!;
      if (step.predicate && step.predicate.test(rec) === step.negate) continue;
      const r = step.transform.apply(rec);
      if (r instanceof Promise) return r.then((x) => (x ? this.convertDirect(original, x, i + 1) : null));
      if (!r) return null;
      rec = r;
    }
    const { key, value, header } = this.d.converters;
    let headers = NO_HEADERS;
    if (rec.headers.size) {
      headers = [];
      for (const h of rec.headers) headers.push([h.key, header.fromConnectHeader(rec.topic, h.key, h.schema, h.value)]);
    }
    const k = key.fromConnectData(rec.topic, rec.keySchema, rec.key, rec.headers);
    const v = value.fromConnectData(rec.topic, rec.valueSchema, rec.value, rec.headers);
    if (k instanceof Promise || v instanceof Promise) {
      const r = rec;
      return Promise.all([k, v]).then(([k2, v2]) => ({ topic: r.topic, partition: r.kafkaPartition, key: k2, value: v2, headers, timestamp: r.timestamp }));
    }
    return { topic: rec.topic, partition: rec.kafkaPartition, key: k, value: v, headers, timestamp: rec.timestamp };
  }

  /** The converting path with the error handler at each stage (retries, tolerance, reporting). */
  private convertHandled(original: SourceRecord): ProducerRecord | null | Promise<ProducerRecord | null> {
    return chain(this.transform(original, original, 0), (rec) => {
      if (!rec) return null;
      const eh = this.d.errorHandler;
      const { key, value, header, keyClass, valueClass, headerClass } = this.d.converters;
      const ctx = { sourceRecord: original };
      const headers: Array<[string, Uint8Array | null]> = [];
      const headersDone = rec.headers.size
        ? eh.run(
            'HEADER_CONVERTER',
            headerClass,
            () => {
              for (const h of rec.headers) headers.push([h.key, header.fromConnectHeader(rec.topic, h.key, h.schema, h.value)]);
              return true;
            },
            ctx,
          )
        : true;
      return chain(headersDone, (ok) => {
        if (!ok) return null;
        return chain(
          eh.run('KEY_CONVERTER', keyClass, () => key.fromConnectData(rec.topic, rec.keySchema, rec.key, rec.headers), ctx),
          (k) => {
            if (k === undefined) return null;
            return chain(
              eh.run('VALUE_CONVERTER', valueClass, () => value.fromConnectData(rec.topic, rec.valueSchema, rec.value, rec.headers), ctx),
              (v): ProducerRecord | null =>
                v === undefined ? null : { topic: rec.topic, partition: rec.kafkaPartition, key: k, value: v, headers, timestamp: rec.timestamp },
            );
          },
        );
      });
    });
  }

  /** Applies the transformation chain from step `i`; null when a transform (or a tolerated error) dropped it. */
  private transform(original: SourceRecord, record: SourceRecord, i: number): SourceRecord | null | Promise<SourceRecord | null> {
    const steps = this.d.transforms;
    for (; i < steps.length; i++) {
      const step = steps[i]!;
      if (step.predicate && step.predicate.test(record) === step.negate) continue;
      const cur = record;
      const r = this.d.errorHandler.run('TRANSFORMATION', step.className, () => step.transform.apply(cur), { sourceRecord: original });
      if (r instanceof Promise) {
        const next = i + 1;
        return r.then((x) => (x ? this.transform(original, x, next) : null));
      }
      if (!r) return null;
      record = r;
    }
    return record;
  }

  private async maybeCommit(force: boolean): Promise<void> {
    if (!force && Date.now() - this.lastCommit < this.d.offsetFlushIntervalMs) return;
    await this.commitOffsets();
  }

  /** Stores the committable offsets and then calls the task's `commit()`. */
  async commitOffsets(): Promise<void> {
    if (this.committing) return this.committing;
    this.committing = (async () => {
      this.lastCommit = Date.now();
      // Offsets whose write failed last time are written again with the new ones (newer offsets win).
      for (const o of this.submitted.committable()) this.unflushed.set(canonicalJson(o.partition), o);
      const offsets = [...this.unflushed.values()];
      try {
        if (offsets.length) {
          await this.d.offsetStore.set(offsets.map((o) => ({ connector: this.id.connector, partition: o.partition, offset: o.offset })));
        }
        this.unflushed.clear();
        this.d.metrics.offsetCommitSuccess.inc(this.labels);
        await this.d.task.commit();
      } catch (e) {
        this.d.metrics.offsetCommitFailure.inc(this.labels);
        this.log.error({ err: e }, 'offset commit failed');
      } finally {
        this.committing = null;
      }
    })();
    return this.committing;
  }

  protected override requestStop(): void {
    // Let a blocked poll() return promptly: Java calls SourceTask.stop() from another thread for the same reason.
    // close() waits for it, so a restarted task finds the resources (ports, files) released.
    this.taskStopped = Promise.resolve()
      .then(() => this.d.task.stop())
      .catch((e: unknown) => this.log.warn({ err: e }, 'error stopping the task'));
  }

  /** Waits (at most `offset.flush.timeout.ms`) for outstanding acknowledgements, then commits. */
  private async drainAndCommit(): Promise<void> {
    await withTimeout(this.drained(), this.d.offsetFlushTimeoutMs, undefined);
    await this.commitOffsets();
  }

  protected async close(): Promise<void> {
    await this.taskStopped;
    await this.drainAndCommit();
    await this.d.producer.close();
    this.d.metrics.removeTask(this.id.connector, this.id.task);
  }

  protected override async abandon(): Promise<void> {
    await this.d.producer.close();
  }
}
