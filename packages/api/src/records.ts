/**
 * Records that flow through the runtime: {@link SourceRecord}s returned by source tasks and {@link SinkRecord}s
 * handed to sink tasks, both carrying ordered, multi-valued {@link Headers}.
 */
import type { Schema } from './schema';

/** One header: a key, a value and its optional schema. */
export interface Header {
  readonly key: string;
  readonly schema: Schema | null;
  readonly value: unknown;
}

/** Ordered multimap of headers (a key may appear more than once), as Java's `ConnectHeaders`. */
export class Headers implements Iterable<Header> {
  private readonly items: Header[];
  constructor(items?: Iterable<Header>) {
    this.items = items ? [...items] : []; // no iterator for the common empty case (one Headers per record)
  }
  /** Appends a header and returns this for chaining. */
  add(key: string, value: unknown, schema: Schema | null = null): this {
    this.items.push({ key, value, schema });
    return this;
  }
  /** The last header with this key. */
  lastWithName(key: string): Header | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) if (this.items[i]!.key === key) return this.items[i];
    return undefined;
  }
  /** All headers with this key, in order. */
  allWithName(key: string): Header[] {
    return this.items.filter((h) => h.key === key);
  }
  /** Removes every header with this key. */
  remove(key: string): this {
    for (let i = this.items.length - 1; i >= 0; i--) if (this.items[i]!.key === key) this.items.splice(i, 1);
    return this;
  }
  get size(): number {
    return this.items.length;
  }
  [Symbol.iterator](): Iterator<Header> {
    return this.items[Symbol.iterator]();
  }
  /** A copy that can be changed without touching this one. */
  duplicate(): Headers {
    return new Headers(this.items);
  }
}

/** A source partition or source offset: a flat map of strings, numbers, booleans (JSON-compatible). */
export type OffsetMap = Record<string, string | number | boolean | null>;

/** Fields shared by source and sink records. */
export interface ConnectRecord {
  readonly topic: string;
  /** Kafka partition, or null to let the producer's partitioner choose. */
  readonly kafkaPartition: number | null;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  readonly value: unknown;
  /** Milliseconds since the epoch, or null. */
  readonly timestamp: number | null;
  readonly headers: Headers;
}

/** A record produced by a {@link SourceTask}: the data plus where it came from in the source system. */
export interface SourceRecord extends ConnectRecord {
  /** Identifies the part of the source system this record came from, e.g. `{filename: "/a.txt"}`. */
  readonly sourcePartition: OffsetMap | null;
  /** Position within the source partition just after this record, e.g. `{position: 1024}`. */
  readonly sourceOffset: OffsetMap | null;
}

/** Timestamp meaning of a consumed Kafka record. */
export type TimestampType = 'NoTimestampType' | 'CreateTime' | 'LogAppendTime';

/** A record delivered to a {@link SinkTask}. */
export interface SinkRecord extends ConnectRecord {
  readonly kafkaPartition: number;
  readonly kafkaOffset: number;
  readonly timestampType: TimestampType;
  /** Topic, partition and offset before any transformation renamed or re-partitioned the record. */
  readonly originalTopic: string;
  readonly originalKafkaPartition: number;
  readonly originalKafkaOffset: number;
}

/** Builds a SourceRecord; fields not given default to null and empty headers. */
export function sourceRecord(r: Partial<SourceRecord> & { topic: string }): SourceRecord {
  return {
    kafkaPartition: null,
    keySchema: null,
    key: null,
    valueSchema: null,
    value: null,
    timestamp: null,
    sourcePartition: null,
    sourceOffset: null,
    ...r,
    headers: r.headers ?? new Headers(),
  };
}

/** A Kafka topic partition. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Kafka offset (of the next record to read) to commit for a topic partition. */
export interface OffsetAndMetadata {
  readonly offset: number;
  readonly metadata?: string;
}

/** Key of a topic partition in maps: `topic-partition`, as Java prints a `TopicPartition`. */
export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}
