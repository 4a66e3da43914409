/**
 * Tasks move the data. The runtime creates one instance per task config, on one task executor, and calls it from
 * that executor only: no two calls on the same task instance overlap, except {@link SourceTask.stop}, which may
 * be called while {@link SourceTask.poll} is pending so that a blocked poll can return early.
 */
import type { ConfigValue } from './config';
import type { PluginLogger } from './logger';
import type { PluginMetrics } from './metrics';
import type { ConnectorProps } from './connector';
import type { OffsetMap, SinkRecord, SourceRecord, TopicPartition } from './records';

/** The offset the runtime committed for a source partition, read by a starting source task. */
export interface OffsetStorageReader {
  /** The committed offset of one source partition, or null. */
  offset(partition: OffsetMap): Promise<OffsetMap | null>;
  /** Committed offsets of several partitions, keyed like the input (missing partitions are absent). */
  offsets(partitions: OffsetMap[]): Promise<Map<OffsetMap, OffsetMap>>;
}

/** The task's window into the runtime: shared by source and sink tasks. */
export interface TaskContext {
  /** The task's configuration (after config providers were resolved). */
  configs(): ConnectorProps;
  /** Logger bound to this task (connector name and task id in every line). */
  readonly logger: PluginLogger;
  /** Metrics published on the worker's `/metrics`, labelled with this connector and task. */
  readonly metrics: PluginMetrics;
}

export interface SourceTaskContext extends TaskContext {
  readonly offsetStorageReader: OffsetStorageReader;
}

/** Where Kafka stored a produced record. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
}

/**
 * A source task.
 *
 * Lifecycle: `initialize` → `start(props)` → `poll()` repeatedly → `stop()`. Offsets: the runtime tracks the
 * `sourceOffset` of every returned record; once Kafka acknowledged a record and every earlier record of the same
 * source partition, its offset becomes committable, and committable offsets are written to the offset store every
 * `offset.flush.interval.ms` and on shutdown, after which {@link commit} is called. After a crash the task restarts
 * from the last stored offset, so records since then are produced again (at-least-once).
 */
export abstract class SourceTask {
  protected context!: SourceTaskContext;

  initialize(context: SourceTaskContext): void {
    this.context = context;
  }
  abstract version(): string;
  /** Start with the task's config. Read the stored offsets through `context.offsetStorageReader` here. */
  abstract start(props: ConnectorProps): void | Promise<void>;
  /**
   * The next records, or null/empty when there are none yet. May wait for data, but should return within about a
   * second so pause and stop take effect promptly. A {@link RetriableError} is retried; any other error fails the task.
   */
  abstract poll(): Promise<SourceRecord[] | null>;
  /** Stop: release resources; a pending {@link poll} should return promptly. */
  abstract stop(): void | Promise<void>;
  /** Called after the runtime stored the offsets of acknowledged records. Optional. */
  commit(): void | Promise<void> {}
  /**
   * Called for every record once Kafka acknowledged it (`metadata`), or once it was dropped by a transformation or
   * tolerated error (`metadata` null). Optional; use it to acknowledge messages upstream (e.g. an MQTT PUBACK).
   */
  commitRecord(_record: SourceRecord, _metadata: RecordMetadata | null): void | Promise<void> {}
}

/** A topic partition with the offset of the next record to read from it. */
export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: number;
}

/** Reports one record a sink task could not write, to the connector's error handling (log, DLQ, tolerance). */
export interface ErrantRecordReporter {
  /** Resolves once the report is durable (e.g. the DLQ write was acknowledged). Throws when tolerance is `none`. */
  report(record: SinkRecord, error: Error): Promise<void>;
}

export interface SinkTaskContext extends TaskContext {
  /** The topic partitions currently assigned to this task. */
  assignment(): TopicPartition[];
  /** Rewind or skip: the next records of these partitions start at the given offsets. */
  offset(offsets: TopicPartitionOffset[]): void;
  /** Ask for a redelivery after `ms` when `put` throws a {@link RetriableError} (default: the framework's backoff). */
  timeout(ms: number): void;
  /** Stop fetching from these partitions (records already fetched are still delivered). */
  pause(...partitions: TopicPartition[]): void;
  resume(...partitions: TopicPartition[]): void;
  /** Ask for an offset commit as soon as possible. */
  requestCommit(): void;
  /** The reporter for single bad records, or null when the connector has no error handling configured. */
  errantRecordReporter(): ErrantRecordReporter | null;
}

/**
 * A sink task.
 *
 * Lifecycle: `initialize` → `start(props)` → `open(partitions)` on assignment → `put(records)` repeatedly, with
 * `preCommit`/`flush` every `offset.flush.interval.ms` → `close(partitions)` on revocation → `stop()`.
 * Offsets: the runtime commits to Kafka only what {@link preCommit} returns, so a task that writes asynchronously
 * returns the offsets it has made durable. A {@link RetriableError} from `put` redelivers the same batch after a
 * backoff; any other error fails the task, and the uncommitted records are read again after a restart.
 */
export abstract class SinkTask {
  protected context!: SinkTaskContext;

  initialize(context: SinkTaskContext): void {
    this.context = context;
  }
  abstract version(): string;
  abstract start(props: ConnectorProps): void | Promise<void>;
  /** Write (or buffer) a batch of records. An empty batch may be delivered (a chance to flush on time). */
  abstract put(records: SinkRecord[]): Promise<void>;
  /** Make everything passed to `put` so far durable. Default: nothing to do. */
  flush(_currentOffsets: TopicPartitionOffset[]): void | Promise<void> {}
  /**
   * The offsets safe to commit, given the offsets of everything passed to `put`. Default: calls {@link flush}
   * and returns `currentOffsets`. Return fewer partitions or lower offsets to commit less.
   */
  async preCommit(currentOffsets: TopicPartitionOffset[]): Promise<TopicPartitionOffset[]> {
    await this.flush(currentOffsets);
    return currentOffsets;
  }
  /** Partitions newly assigned to this task. */
  open(_partitions: TopicPartition[]): void | Promise<void> {}
  /** Partitions taken away; flush what belongs to them. Offsets were committed just before. */
  close(_partitions: TopicPartition[]): void | Promise<void> {}
  abstract stop(): void | Promise<void>;
}

export type { ConfigValue };
