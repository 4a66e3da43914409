/**
 * The dead letter queue (`errors.deadletterqueue.topic.name`) of sink and (kconnect extension) source tasks,
 * produced with acks=all to a topic created on first use; with `errors.deadletterqueue.context.headers.enable`
 * each record carries Java's `__connect.errors.*` headers.
 *
 * What lands in it: for a sink, the consumed record's own bytes, key and headers (as Java). For a source, the record
 * as the task returned it from poll() (before transformations), serialized as far as it can be: key and value with
 * the task's converters, each falling back to JsonConverter without schemas (with the record's schema, then without
 * one) and at last to its Java string; headers with the task's header converter, else as their Java string.
 */
import { javaString, type Schema, type SourceRecord } from '@kconnect/api';
import { JsonConverter } from '@kconnect/converters';
import type { KafkaAdmin, KafkaProducer } from '../kafka/client';
import { canonicalJson } from '../storage/offset-store';
import type { ErrorContext, ErrorReporter } from './error-handler';
import type { TaskConverters } from './plugins';

export const DLQ_HEADER_PREFIX = '__connect.errors.';

/** A record for the DLQ topic. */
export interface DeadLetter {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Array<[string, Uint8Array | null]>;
}

/** Turns a failed source record into the bytes written to the DLQ. */
export type SourceRecordSerializer = (record: SourceRecord) => Promise<DeadLetter>;

export class DeadLetterQueueReporter implements ErrorReporter {
  private ready: Promise<void> | null = null;

  constructor(
    private readonly producer: KafkaProducer,
    private readonly admin: KafkaAdmin,
    private readonly topic: string,
    private readonly replicationFactor: number,
    private readonly contextHeaders: boolean,
    private readonly connector: string,
    private readonly taskId: number,
    /** Source tasks: how their records are serialized for the DLQ (see {@link sourceRecordSerializer}). */
    private readonly serializeSource?: SourceRecordSerializer,
  ) {}

  async report(ctx: ErrorContext): Promise<void> {
    const rec = ctx.consumed;
    const src = rec ? undefined : ctx.sourceRecord;
    if (!rec && !(src && this.serializeSource)) return;
    this.ready ??= this.admin.createTopics([{ topic: this.topic, numPartitions: 1, replicationFactor: this.replicationFactor }]).then(
      () => undefined,
      (e: unknown) => {
        this.ready = null;
        throw e;
      },
    );
    await this.ready;
    const letter: DeadLetter = rec ? { key: rec.key, value: rec.value, headers: [...rec.headers] } : await this.serializeSource!(src!);
    const headers = letter.headers;
    if (this.contextHeaders) {
      const h = (k: string, v: string | undefined) => headers.push([DLQ_HEADER_PREFIX + k, v === undefined ? null : Buffer.from(v)]);
      if (rec) {
        h('topic', rec.topic);
        h('partition', String(rec.partition));
        h('offset', String(rec.offset));
      } else {
        // A source record has no Kafka offset yet: its destination, and its source partition and offset instead.
        h('topic', src!.topic);
        if (src!.kafkaPartition !== null && src!.kafkaPartition !== undefined) h('partition', String(src!.kafkaPartition));
        h('source.partition', canonicalJson(src!.sourcePartition ?? {}));
        h('source.offset', canonicalJson(src!.sourceOffset ?? {}));
      }
      h('connector.name', this.connector);
      h('task.id', String(this.taskId));
      h('stage', ctx.stage);
      h('class.name', ctx.className);
      h('exception.class.name', ctx.error.name);
      h('exception.message', ctx.error.message);
      h('exception.stacktrace', ctx.error.stack);
    }
    await this.producer.send([{ topic: this.topic, key: letter.key, value: letter.value, headers }]);
  }
}

/** The source-record serializer described in the module doc, over a task's converters. */
export function sourceRecordSerializer(converters: TaskConverters): SourceRecordSerializer {
  const json = (isKey: boolean) => {
    const c = new JsonConverter();
    c.configure({ 'schemas.enable': 'false' }, isKey);
    return c;
  };
  const fallback = { key: json(true), value: json(false) };
  const side = async (which: 'key' | 'value', r: SourceRecord, schema: Schema | null, value: unknown): Promise<Uint8Array | null> => {
    try {
      return await converters[which].fromConnectData(r.topic, schema, value, r.headers);
    } catch {
      /* the task's converter cannot: fall back */
    }
    for (const s of schema ? [schema, null] : [null]) {
      try {
        return fallback[which].fromConnectData(r.topic, s, value);
      } catch {
        /* next */
      }
    }
    return value === null || value === undefined ? null : Buffer.from(javaString(value, schema));
  };
  return async (r) => {
    const headers: Array<[string, Uint8Array | null]> = [];
    for (const h of r.headers) {
      let bytes: Uint8Array | null;
      try {
        bytes = converters.header.fromConnectHeader(r.topic, h.key, h.schema, h.value);
      } catch {
        bytes = h.value === null || h.value === undefined ? null : Buffer.from(javaString(h.value, h.schema));
      }
      headers.push([h.key, bytes]);
    }
    return { key: await side('key', r, r.keySchema, r.key), value: await side('value', r, r.valueSchema, r.value), headers };
  };
}
