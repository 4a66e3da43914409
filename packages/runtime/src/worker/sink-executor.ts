/**
 * Runs one sink task (Java's WorkerSinkTask): consumer group `connect-<name>` → converters → transformations →
 * `put` → `preCommit`/`flush` every `offset.flush.interval.ms`; only offsets the task returned from preCommit are
 * committed. A retriable error from `put` redelivers the same batch after a backoff; any other error fails the task
 * and leaves the uncommitted records to be read again after a restart.
 */
import {
  type PluginLogger,
  type PluginMetrics,
  type ConnectorProps,
  type ErrantRecordReporter,
  Headers,
  type SchemaAndValue,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TopicPartition,
  type TopicPartitionOffset,
  isRetriable,
} from '@kconnect/api';
import type { ConsumedRecord, KafkaConsumer, PartitionOffset, TopicPartitionRef } from '../kafka/client';
import type { Logger } from '../logging';
import type { WorkerMetrics } from '../metrics/metrics';
import type { ErrorContext, ErrorHandler } from './error-handler';
import { atStage, type FailureStage, staged } from './failure';
import type { TaskConverters, TransformStep } from './plugins';
import { type ConnectorTaskId, TaskExecutor, type TargetState, type TaskStatusListener, sleep } from './task-executor';

export interface SinkExecutorDeps {
  task: SinkTask;
  taskConfig: ConnectorProps;
  /** The logger handed to the task through its context. */
  pluginLogger: PluginLogger;
  pluginMetrics: PluginMetrics;
  converters: TaskConverters;
  transforms: TransformStep<SinkRecord>[];
  consumer: KafkaConsumer;
  subscription: string[] | RegExp;
  errorHandler: ErrorHandler;
  /** Whether the connector configured any error reporting (errant record reporter is null otherwise). */
  hasErrorReporting: boolean;
  metrics: WorkerMetrics;
  offsetFlushIntervalMs: number;
  onTopic: (topic: string) => void;
  /** A partition's end offset (for sink-record-lag-max); null when unknown. */
  endOffset?: (topic: string, partition: number) => Promise<number | null>;
}

const tpKey = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;
const DEFAULT_RETRY_BACKOFF_MS = 300;
const HEARTBEAT_MS = 3000;
/** How often the task's lag (sink-record-lag-max) is measured. */
const LAG_INTERVAL_MS = 5000;

/**
 * The consumed record a SinkRecord came from (its original bytes for the errant record reporter), kept on the
 * record under a symbol: cheaper than a WeakMap entry per record, and gone with the record.
 */
const ORIGIN = Symbol('kconnect.consumedRecord');
type Originated = SinkRecord & { [ORIGIN]?: ConsumedRecord };

export class SinkTaskExecutor extends TaskExecutor {
  private assignment = new Map<string, TopicPartitionRef>();
  /** Offset after the last record handed to put(), per partition. */
  private readonly current = new Map<string, PartitionOffset>();
  private lastCommitted = new Map<string, number>();
  private lastCommit = Date.now();
  private commitRequested = false;
  private retryTimeoutMs: number | null = null;
  private readonly rewinds = new Map<string, PartitionOffset>();
  private commitTimer: NodeJS.Timeout | undefined;
  /** Serializes put and commit: the consumer callbacks and the commit timer never overlap. */
  private lock: Promise<unknown> = Promise.resolve();
  private readonly labels: { connector: string; task: string };
  protected readonly errorHandler: ErrorHandler;
  private readonly topics = new Set<string>();
  private started = false;
  /** Partitions the task paused itself through its context (a connector resume leaves them paused). */
  private readonly taskPaused = new Set<string>();
  private lagCheck: Promise<void> | null = null;
  private lastLagCheck = 0;

  constructor(
    id: ConnectorTaskId,
    initialState: TargetState,
    listener: TaskStatusListener,
    log: Logger,
    private readonly d: SinkExecutorDeps,
  ) {
    super(id, initialState, listener, log);
    this.errorHandler = d.errorHandler;
    this.labels = { connector: id.connector, task: String(id.task) };
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  protected async execute(): Promise<void> {
    const { task, consumer } = this.d;
    const reporter: ErrantRecordReporter | null = this.d.hasErrorReporting
      ? { report: async (record, error) => void (await this.reportErrant(record, error)) }
      : null;
    const context: SinkTaskContext = {
      configs: () => this.d.taskConfig,
      logger: this.d.pluginLogger,
      metrics: this.d.pluginMetrics,
      assignment: () => [...this.assignment.values()],
      offset: (offsets: TopicPartitionOffset[]) => {
        for (const o of offsets) this.rewinds.set(tpKey(o), { topic: o.topic, partition: o.partition, offset: o.offset });
      },
      timeout: (ms: number) => {
        this.retryTimeoutMs = ms;
      },
      pause: (...ps: TopicPartition[]) => {
        for (const p of ps) this.taskPaused.add(tpKey(p));
        consumer.pause(ps);
      },
      resume: (...ps: TopicPartition[]) => {
        for (const p of ps) this.taskPaused.delete(tpKey(p));
        if (this.targetState !== 'PAUSED') consumer.resume(ps);
      },
      requestCommit: () => {
        this.commitRequested = true;
      },
      errantRecordReporter: () => reporter,
    };
    await staged('TASK_START', async () => {
      task.initialize(context);
      await task.start(this.d.taskConfig);
    });
    this.started = true;
    // A stop that arrived during a slow start: close() runs (or ran) without a consumer to wait for.
    if (this.stopping) return;
    // As Java's WorkerSinkTask: RUNNING once the task started, before its consumer has joined the group (a join can
    // wait for a dead worker's consumer to leave; the task is not stuck meanwhile). A join that fails makes it FAILED.
    this.reportStarted();
    await staged('KAFKA_CONSUME', () =>
      consumer.run(this.d.subscription, {
        onAssigned: (ps) => this.exclusive(() => this.onAssigned(ps)),
        onRebalancing: () => this.exclusive(() => this.commit('rebalance')),
        onBatch: (records, tp) => this.exclusive(() => this.onBatch(records, tp)),
        onCrash: (e) => this.fail(e, 'KAFKA_CONSUME'),
      }),
    );
    if (this.stopping) {
      // close() may already have disconnected before run() rejoined the group: disconnect again.
      await consumer.close();
      return;
    }
    this.commitTimer = setInterval(
      () => {
        if (this.commitRequested || Date.now() - this.lastCommit >= this.d.offsetFlushIntervalMs) {
          void this.exclusive(() => this.commit('interval'));
        }
        this.measureLag();
      },
      Math.min(1000, this.d.offsetFlushIntervalMs),
    );
    // The consumer runs on its own; the task ends with stop() or a failure.
    await this.ended;
  }

  /**
   * sink-record-lag-max: end offset minus the next offset to deliver, the largest over the assigned partitions
   * (partitions with nothing delivered yet count from their first fetched record, or not at all). At most one
   * measurement at a time, every LAG_INTERVAL_MS.
   */
  private measureLag(): void {
    const endOffset = this.d.endOffset;
    if (!endOffset || this.lagCheck || this.stopping || this.failed || Date.now() - this.lastLagCheck < LAG_INTERVAL_MS) return;
    this.lastLagCheck = Date.now();
    this.lagCheck = (async () => {
      let max = 0;
      for (const [k, tp] of [...this.assignment]) {
        const position = this.current.get(k)?.offset ?? this.lastCommitted.get(k);
        if (position === undefined) continue;
        const end = await endOffset(tp.topic, tp.partition);
        if (end !== null) max = Math.max(max, end - position);
      }
      if (!this.stopping && !this.failed) this.d.metrics.sinkRecordLagMax.set(this.labels, max);
    })()
      .catch((e: unknown) => this.log.debug({ err: e }, 'could not measure the lag'))
      .finally(() => {
        this.lagCheck = null;
      });
  }

  private async onAssigned(partitions: TopicPartitionRef[]): Promise<void> {
    const next = new Map(partitions.map((p) => [tpKey(p), p]));
    const revoked = [...this.assignment.entries()].filter(([k]) => !next.has(k)).map(([, p]) => p);
    const added = [...next.entries()].filter(([k]) => !this.assignment.has(k)).map(([, p]) => p);
    if (revoked.length) {
      await staged('TASK_CLOSE', () => this.d.task.close(revoked));
      for (const p of revoked) {
        this.current.delete(tpKey(p));
        this.lastCommitted.delete(tpKey(p));
      }
    }
    this.assignment = next;
    if (added.length) await staged('TASK_OPEN', () => this.d.task.open(added));
    // A consumer keeps a partition paused across assignments: set every assigned partition's state explicitly.
    if (this.targetState === 'PAUSED') this.d.consumer.pause(partitions);
    else this.d.consumer.resume(partitions.filter((p) => !this.taskPaused.has(tpKey(p))));
    // Rewinds the task asked for in open() apply before anything is delivered (Java seeks right after open()).
    this.applyRewinds();
  }

  /** Seeks to the offsets requested through SinkTaskContext.offset(); returns the partitions it moved. */
  private applyRewinds(): Set<string> {
    const moved = new Set<string>();
    for (const [k, o] of this.rewinds) {
      if (!this.assignment.has(k)) continue;
      this.d.consumer.seek(o);
      this.current.set(k, o);
      moved.add(k);
    }
    this.rewinds.clear();
    return moved;
  }

  private async onBatch(records: ConsumedRecord[], tp: TopicPartitionRef): Promise<boolean> {
    if (this.stopping || this.failed || !this.started) return false;
    const key = tpKey(tp);
    // A batch fetched before a rebalance for a partition this task no longer owns is not delivered.
    if (!this.assignment.has(key)) return false;
    // A rewind requested since this batch was fetched wins: the batch is fetched again from the new position.
    if (this.applyRewinds().has(key)) return false;
    // The position at assignment is where a failed flush rewinds to when nothing was committed yet.
    if (!this.lastCommitted.has(key)) this.lastCommitted.set(key, records[0]!.offset);
    if (!this.topics.has(tp.topic)) {
      this.topics.add(tp.topic);
      this.d.onTopic(tp.topic);
    }
    this.d.metrics.sinkRecordRead.inc(this.labels, records.length);
    try {
      const sinkRecords: SinkRecord[] = [];
      for (const r of records) {
        let s = this.convert(r);
        if (s instanceof Promise) s = await s;
        if (s) sinkRecords.push(s);
      }
      // Once put() accepted the batch its offsets count as delivered, even if a stop arrived meanwhile: preCommit
      // (flush) on close makes them durable and commits them.
      if (!(await this.deliver(sinkRecords))) return false;
      this.current.set(key, { ...tp, offset: records[records.length - 1]!.offset + 1 });
      this.d.metrics.sinkRecordSend.inc(this.labels, sinkRecords.length);
      this.d.metrics.batchSize.observe(this.labels, sinkRecords.length);
      this.applyRewinds();
      if (this.commitRequested || Date.now() - this.lastCommit >= this.d.offsetFlushIntervalMs) await this.commit('interval');
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  /**
   * put() with redelivery after retriable errors until it succeeds (true), the task stops while waiting to retry
   * (false), or a fatal error (throws).
   */
  private async deliver(records: SinkRecord[]): Promise<boolean> {
    for (;;) {
      const t0 = process.hrtime.bigint();
      try {
        await this.withHeartbeats(() => this.d.task.put(records));
        this.d.metrics.putBatchTime.observe(this.labels, Number(process.hrtime.bigint() - t0) / 1e9);
        return true;
      } catch (e) {
        if (!isRetriable(e)) throw atStage(e, 'TASK_PUT');
        const wait = this.retryTimeoutMs ?? DEFAULT_RETRY_BACKOFF_MS;
        this.retryTimeoutMs = null;
        this.log.warn({ err: e, backoffMs: wait }, 'RetriableException from SinkTask; redelivering the batch after backoff');
        const until = Date.now() + wait;
        while (Date.now() < until && !this.stopping) {
          await sleep(Math.min(1000, until - Date.now()));
          await this.d.consumer.heartbeat().catch(() => undefined);
        }
        if (this.stopping) return false;
      }
    }
  }

  /** Some backends (kafkajs) heartbeat only between batches: keep the membership alive while the task works for long. */
  private async withHeartbeats<T>(fn: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => void this.d.consumer.heartbeat().catch(() => undefined), HEARTBEAT_MS);
    try {
      return await fn();
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Converts and transforms a record. The direct path calls the converters and transformations without the error
   * handler's per-stage bookkeeping (and without a promise per stage when they are synchronous); any failure sends
   * the record through `convertHandled`, which converts it again from the start with retries, tolerance and
   * reporting per stage — the same outcome, paid only for the records that fail.
   */
  private convert(r: ConsumedRecord): SinkRecord | null | Promise<SinkRecord | null> {
    try {
      const out = this.convertDirect(r);
      return out instanceof Promise ? out.catch(() => this.convertHandled(r)) : out;
    } catch {
      return this.convertHandled(r);
    }
  }

  private convertDirect(r: ConsumedRecord): SinkRecord | null | Promise<SinkRecord | null> {
    const { key, value, header } = this.d.converters;
    const headers = new Headers();
    for (const [k, v] of r.headers) {
      const sv = header.toConnectHeader(r.topic, k, v);
      headers.add(k, sv.value, sv.schema);
    }
    const k = key.toConnectData(r.topic, r.key, headers);
    const v = value.toConnectData(r.topic, r.value, headers);
    if (k instanceof Promise || v instanceof Promise) return Promise.all([k, v]).then(([k2, v2]) => this.transformDirect(r, headers, k2, v2));
    return this.transformDirect(r, headers, k, v);
  }

  private transformDirect(r: ConsumedRecord, headers: Headers, k: SchemaAndValue, v: SchemaAndValue): SinkRecord | null {
    let record: SinkRecord | null = this.sinkRecord(r, headers, k, v);
    for (const step of this.d.transforms) {
      if (step.predicate && step.predicate.test(record) === step.negate) continue;
      record = step.transform.apply(record);
      if (!record) return null;
    }
    (record as Originated)[ORIGIN] = r;
    return record;
  }

  private sinkRecord(r: ConsumedRecord, headers: Headers, k: SchemaAndValue, v: SchemaAndValue): SinkRecord {
    return {
      topic: r.topic,
      kafkaPartition: r.partition,
      kafkaOffset: r.offset,
      keySchema: k.schema,
      key: k.value,
      valueSchema: v.schema,
      value: v.value,
      timestamp: r.timestamp,
      timestampType: r.timestampType,
      headers,
      originalTopic: r.topic,
      originalKafkaPartition: r.partition,
      originalKafkaOffset: r.offset,
    };
  }

  private async convertHandled(r: ConsumedRecord): Promise<SinkRecord | null> {
    const eh = this.d.errorHandler;
    const { key, value, header, keyClass, valueClass, headerClass } = this.d.converters;
    const ctx: Partial<ErrorContext> = { consumed: r };
    const headers = new Headers();
    if (r.headers.length) {
      const ok = await eh.run(
        'HEADER_CONVERTER',
        headerClass,
        () => {
          for (const [k, v] of r.headers) {
            const sv = header.toConnectHeader(r.topic, k, v);
            headers.add(k, sv.value, sv.schema);
          }
          return true;
        },
        ctx,
      );
      if (!ok) return null;
    }
    const k = await eh.execute('KEY_CONVERTER', keyClass, () => key.toConnectData(r.topic, r.key, headers), ctx);
    if (!k) return null;
    const v = await eh.execute('VALUE_CONVERTER', valueClass, () => value.toConnectData(r.topic, r.value, headers), ctx);
    if (!v) return null;
    let record: SinkRecord | null = this.sinkRecord(r, headers, k, v);
    for (const step of this.d.transforms) {
      const cur: SinkRecord = record;
      if (step.predicate && step.predicate.test(cur) === step.negate) continue;
      record = (await eh.run('TRANSFORMATION', step.className, () => step.transform.apply(cur), ctx)) ?? null;
      if (!record) return null;
    }
    (record as Originated)[ORIGIN] = r;
    return record;
  }

  private async reportErrant(record: SinkRecord, error: Error): Promise<void> {
    const consumed = (record as Originated)[ORIGIN] ?? {
      topic: record.originalTopic,
      partition: record.originalKafkaPartition,
      offset: record.originalKafkaOffset,
      key: null,
      value: null,
      headers: [],
    };
    await this.d.errorHandler.execute(
      'TASK_PUT',
      this.d.task.constructor.name,
      () => {
        throw error;
      },
      { consumed },
    );
  }

  /** Asks the task what is safe to commit and commits it (only for partitions still assigned). */
  private async commit(reason: string): Promise<void> {
    this.lastCommit = Date.now();
    this.commitRequested = false;
    if (!this.started || this.failed || this.current.size === 0) return;
    const current: TopicPartitionOffset[] = [...this.current.values()];
    let safe: TopicPartitionOffset[];
    try {
      safe = await this.withHeartbeats(() => this.d.task.preCommit(current));
    } catch (e) {
      this.d.metrics.offsetCommitFailure.inc(this.labels);
      this.log.error({ err: e, reason }, 'Commit of offsets threw an unexpected exception; rewinding to the last committed offsets');
      // Java rewinds after a failed flush so that nothing unflushed is skipped.
      for (const [k, tp] of this.assignment) {
        const off = this.lastCommitted.get(k);
        if (off === undefined) continue;
        this.d.consumer.seek({ ...tp, offset: off });
        this.current.set(k, { ...tp, offset: off });
      }
      return;
    }
    // Only partitions still assigned, never past what was consumed, and only when something changed.
    const toCommit = safe.filter((o) => {
      const k = tpKey(o);
      const consumed = this.current.get(k)?.offset;
      return this.assignment.has(k) && consumed !== undefined && o.offset <= consumed && this.lastCommitted.get(k) !== o.offset;
    });
    try {
      if (toCommit.length) {
        await this.d.consumer.commit(toCommit);
        for (const o of toCommit) this.lastCommitted.set(tpKey(o), o.offset);
        this.log.debug({ reason, offsets: toCommit }, 'committed offsets');
      }
      this.d.metrics.offsetCommitSuccess.inc(this.labels);
      this.d.metrics.sinkOffsetCommitCompletion.inc(this.labels);
    } catch (e) {
      // The data is flushed; a failed Kafka commit only means the next commit (or a restart) covers it.
      this.d.metrics.offsetCommitFailure.inc(this.labels);
      this.log.warn({ err: e, reason }, 'Offset commit to Kafka failed; it will be retried with the next commit');
    }
  }

  protected override fail(e: unknown, stage?: FailureStage): void {
    const first = !this.failed && !this.stopping;
    super.fail(e, stage);
    // A failed task lets go of its partitions (Java closes the consumer), so no batch is fetched in a loop.
    if (first) void this.d.consumer.close().catch(() => undefined);
  }

  protected override onPause(): void {
    this.d.consumer.pause([...this.assignment.values()]);
  }

  protected override onResume(): void {
    this.d.consumer.resume([...this.assignment.values()].filter((p) => !this.taskPaused.has(tpKey(p))));
  }

  protected async close(): Promise<void> {
    clearInterval(this.commitTimer);
    await this.exclusive(async () => {
      if (!this.failed) await this.commit('shutdown');
      if (this.started) {
        try {
          await this.d.task.close([...this.assignment.values()]);
        } finally {
          await this.d.task.stop();
        }
      }
    });
    await this.d.consumer.close();
    this.d.metrics.removeTask(this.id.connector, this.id.task);
  }

  protected override async abandon(): Promise<void> {
    await this.d.consumer.close();
  }
}
