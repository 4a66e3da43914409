/**
 * The kafkajs implementation of {@link KafkaClient} (worker setting `kafka.client=kafkajs`). kafkajs has had no
 * release since 2023: it reads and writes gzip only, has no OffsetDelete and no idempotent pipelining. Settings
 * use Java client names; the ones kafkajs has an equivalent for are mapped, the others are warned about once.
 */
import {
  type Admin,
  type Consumer,
  CompressionTypes,
  type ICustomPartitioner,
  Kafka,
  type KafkaConfig,
  logLevel,
  Partitioners,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import type { Logger } from 'pino';
import {
  type AdminOptions,
  type ConsumedRecord,
  type ConsumerHandlers,
  type ConsumerOptions,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaConsumer,
  type KafkaGroupMember,
  type KafkaLogReader,
  type KafkaHeaders,
  type KafkaProducer,
  type PartitionOffset,
  type ProducedRecordMetadata,
  type ProducerOptions,
  type ProducerRecord,
  type TopicPartitionRef,
  type TopicSpec,
  UnsupportedKafkaFeatureError,
  byTopic,
} from './client';
import { connectionSecurity, explainSecurityError, type KafkaConnectionSecurity, withSecurityErrors } from './security';
import { type CompressionType, parseConsumerSettings, parseProducerSettings, securityKeysOf, warnUnsupportedSettings } from './settings';

const PARTITION = Symbol('partition');
type StampedMessage = { [PARTITION]?: number; key: Buffer | null; value: Buffer | null; partition?: number };

/**
 * Java's default partitioner (murmur2 of the key; round-robin for null keys), remembering its choice on the
 * message so a retried send keeps every record in the partition it was first given and we can report it.
 */
const stampingPartitioner: ICustomPartitioner = () => {
  const inner = Partitioners.DefaultPartitioner();
  return (args) => {
    const m = args.message as unknown as StampedMessage;
    if (m[PARTITION] === undefined) m[PARTITION] = inner(args);
    return m[PARTITION];
  };
};

const MAX_RECORDS_PER_REQUEST = 500;
const partitionOf = (p: TopicPartitionRef) => p.partition;

const COMPRESSION: Partial<Record<CompressionType, CompressionTypes>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
};
const APPLIED_PRODUCER_KEYS: ReadonlySet<string> = new Set(['compression.type', 'acks']);
const APPLIED_CONSUMER_KEYS: ReadonlySet<string> = new Set([
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'max.poll.interval.ms',
  'max.partition.fetch.bytes',
  'fetch.max.bytes',
  'fetch.min.bytes',
  'fetch.max.wait.ms',
  'allow.auto.create.topics',
  'metadata.max.age.ms',
  'auto.offset.reset',
  'enable.auto.commit',
]);

function toBuffer(b: Uint8Array | null): Buffer | null {
  if (b === null) return null;
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export class KafkajsClient implements KafkaClient {
  private readonly kafka: Kafka;
  private readonly baseSecurity: KafkaConnectionSecurity;
  /** kafkajs takes TLS and SASL per Kafka instance: one per distinct security settings of clients. */
  private readonly bySecurity = new Map<string, Kafka>();

  constructor(
    private readonly bootstrapServers: string[],
    private readonly log: Logger,
    private readonly clientId = 'kconnect',
    /** The worker's security keys: every client's, under the client's own settings. */
    private readonly security: Record<string, string> = {},
  ) {
    this.baseSecurity = connectionSecurity(security);
    this.kafka = this.newKafka(this.baseSecurity);
  }

  private newKafka(sec: KafkaConnectionSecurity): Kafka {
    const config: KafkaConfig = {
      clientId: this.clientId,
      brokers: this.bootstrapServers,
      ...(sec.tls ? { ssl: sec.tls } : {}),
      ...(sec.sasl
        ? {
            sasl: {
              mechanism: sec.sasl.mechanism.toLowerCase() as 'plain',
              username: sec.sasl.username,
              password: sec.sasl.password,
            },
          }
        : {}),
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }) => {
          const { message, ...rest } = log;
          const l = level <= logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'debug';
          this.log[l]({ kafkajs: rest }, message);
        },
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
    };
    return new Kafka(config);
  }

  /** The Kafka instance and security of a client: the worker's, under the security keys of the client's settings. */
  private kafkaOf(settings: Record<string, string> | undefined): { kafka: Kafka; sec: KafkaConnectionSecurity } {
    const own = securityKeysOf(settings);
    if (!Object.keys(own).length) return { kafka: this.kafka, sec: this.baseSecurity };
    const merged = { ...this.security, ...own };
    const sec = connectionSecurity(merged);
    const key = JSON.stringify(Object.entries(merged).sort());
    let kafka = this.bySecurity.get(key);
    if (!kafka) this.bySecurity.set(key, (kafka = this.newKafka(sec)));
    return { kafka, sec };
  }

  /** `p` with an authentication or TLS failure explained (see explainSecurityError). */
  private async explained<T>(p: Promise<T>, sec: KafkaConnectionSecurity): Promise<T> {
    try {
      return await p;
    } catch (e) {
      throw explainSecurityError(e, sec, this.bootstrapServers);
    }
  }

  async producer(options: ProducerOptions): Promise<KafkaProducer> {
    const s = parseProducerSettings(options.settings ?? {});
    const compression = COMPRESSION[s.compressionType];
    if (compression === undefined) {
      throw new UnsupportedKafkaFeatureError(`compression.type=${s.compressionType} (kafkajs writes gzip only)`, 'kafkajs');
    }
    warnUnsupportedSettings(this.log, 'kafkajs', 'producer', options.settings, APPLIED_PRODUCER_KEYS);
    const { kafka, sec } = this.kafkaOf(options.settings);
    const producer = kafka.producer({
      createPartitioner: stampingPartitioner,
      allowAutoTopicCreation: true,
      maxInFlightRequests: 1,
      idempotent: false,
    });
    await this.explained(producer.connect(), sec);
    return withSecurityErrors(new KafkajsProducer(producer, compression, s.acks), sec, this.bootstrapServers);
  }

  async consumer(options: ConsumerOptions): Promise<KafkaConsumer> {
    const s = parseConsumerSettings(options.settings ?? {});
    warnUnsupportedSettings(this.log, 'kafkajs', 'consumer', options.settings, APPLIED_CONSUMER_KEYS);
    const { kafka, sec } = this.kafkaOf(options.settings);
    const consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: s.sessionTimeoutMs,
      heartbeatInterval: s.heartbeatIntervalMs,
      rebalanceTimeout: s.maxPollIntervalMs,
      maxBytesPerPartition: s.maxPartitionFetchBytes,
      maxBytes: s.fetchMaxBytes,
      minBytes: s.fetchMinBytes,
      maxWaitTimeInMs: s.fetchMaxWaitMs,
      allowAutoTopicCreation: s.allowAutoCreateTopics,
      metadataMaxAge: s.metadataMaxAgeMs,
    });
    await this.explained(consumer.connect(), sec);
    return withSecurityErrors(
      new KafkajsConsumer(consumer, s.autoOffsetReset !== 'latest', (e) => explainSecurityError(e, sec, this.bootstrapServers) as Error),
      sec,
      this.bootstrapServers,
    );
  }

  async logReader(): Promise<KafkaLogReader> {
    throw new UnsupportedKafkaFeatureError('Reading a topic outside a consumer group (the distributed worker)', 'kafkajs');
  }

  async groupMember(): Promise<KafkaGroupMember> {
    throw new UnsupportedKafkaFeatureError("Joining a group with Connect's protocol (the distributed worker)", 'kafkajs');
  }

  async admin(options?: AdminOptions): Promise<KafkaAdmin> {
    const { kafka, sec } = this.kafkaOf(options?.settings);
    const admin = kafka.admin();
    await this.explained(admin.connect(), sec);
    return withSecurityErrors(new KafkajsAdmin(admin), sec, this.bootstrapServers);
  }
}

class KafkajsProducer implements KafkaProducer {
  readonly maxInFlight = 1;
  constructor(
    private readonly producer: Producer,
    private readonly compression: CompressionTypes,
    private readonly acks: -1 | 0 | 1,
  ) {}

  async send(records: ProducerRecord[]): Promise<ProducedRecordMetadata[]> {
    // kafkajs groups a request's messages per partition in time quadratic in their number: large batches go as
    // several requests, one after the other (order kept: one request in flight).
    if (records.length <= MAX_RECORDS_PER_REQUEST) return this.sendOne(records);
    const out: ProducedRecordMetadata[] = [];
    for (let i = 0; i < records.length; i += MAX_RECORDS_PER_REQUEST) {
      out.push(...(await this.sendOne(records.slice(i, i + MAX_RECORDS_PER_REQUEST))));
    }
    return out;
  }

  private async sendOne(records: ProducerRecord[]): Promise<ProducedRecordMetadata[]> {
    if (records.length === 0) return [];
    const messagesByTopic = new Map<string, StampedMessage[]>();
    const messages: StampedMessage[] = new Array(records.length);
    // Records without a timestamp get the send time (CreateTime), reported back in their metadata.
    const now = Date.now();
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const m: StampedMessage & { headers?: Record<string, Buffer | Buffer[]>; timestamp?: string } = {
        key: toBuffer(r.key),
        value: toBuffer(r.value),
      };
      if (r.partition !== null && r.partition !== undefined) m.partition = r.partition;
      m.timestamp = String(r.timestamp ?? now);
      if (r.headers?.length) m.headers = toKafkajsHeaders(r.headers);
      messages[i] = m;
      let list = messagesByTopic.get(r.topic);
      if (!list) messagesByTopic.set(r.topic, (list = []));
      list.push(m);
    }
    const topicMessages = [...messagesByTopic].map(([topic, msgs]) => ({ topic, messages: msgs })) as unknown as TopicMessages[];
    const results = await this.producer.sendBatch({ topicMessages, acks: this.acks, compression: this.compression });
    // Records of one partition were appended in input order from the partition's base offset.
    const next = new Map<string, { offset: number; timestamp: number }>();
    for (const r of results) {
      const ts = r.logAppendTime && r.logAppendTime !== '-1' ? Number(r.logAppendTime) : -1;
      next.set(`${r.topicName}\u0000${r.partition}`, { offset: Number(r.baseOffset), timestamp: ts });
    }
    return records.map((r, i) => {
      const partition = messages[i]![PARTITION] ?? messages[i]!.partition!;
      const slot = next.get(`${r.topic}\u0000${partition}`);
      const offset = slot ? slot.offset++ : -1;
      return { topic: r.topic, partition, offset, timestamp: slot && slot.timestamp >= 0 ? slot.timestamp : (r.timestamp ?? now) };
    });
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

function toKafkajsHeaders(headers: KafkaHeaders): Record<string, Buffer | Buffer[]> {
  const out: Record<string, Buffer | Buffer[]> = {};
  for (const [k, v] of headers) {
    const b = toBuffer(v) ?? Buffer.alloc(0);
    const cur = out[k];
    out[k] = cur === undefined ? b : Array.isArray(cur) ? [...cur, b] : [cur, b];
  }
  return out;
}

/** The headers of a record without any: shared, read-only (most records have none; no array per record). */
const NO_HEADERS = Object.freeze([]) as unknown as KafkaHeaders;

function fromKafkajsHeaders(headers: Record<string, unknown> | undefined): KafkaHeaders {
  let out: KafkaHeaders | undefined;
  for (const k in headers) {
    const v = headers[k];
    out ??= [];
    if (Array.isArray(v)) for (const e of v) out.push([k, e == null ? null : Buffer.from(e as Buffer)]);
    else out.push([k, v == null ? null : (v as Buffer)]);
  }
  return out ?? NO_HEADERS;
}

class KafkajsConsumer implements KafkaConsumer {
  private heartbeatFn: (() => Promise<void>) | undefined;
  /** Partitions rewound during the current batch: their fetch position must not be moved past the batch. */
  private readonly seeked = new Set<string>();
  constructor(
    private readonly consumer: Consumer,
    private readonly fromBeginning: boolean,
    /** Explains an authentication or TLS failure (see explainSecurityError). */
    private readonly explain: (e: Error) => Error = (e) => e,
  ) {}

  async run(topics: string[] | RegExp, handlers: ConsumerHandlers): Promise<void> {
    const { consumer } = this;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const assigned: TopicPartitionRef[] = [];
      for (const [topic, partitions] of Object.entries(e.payload.memberAssignment)) {
        for (const partition of partitions) assigned.push({ topic, partition });
      }
      handlers.onAssigned(assigned).catch((err: Error) => handlers.onCrash(err));
    });
    consumer.on(consumer.events.REBALANCING, () => {
      handlers.onRebalancing().catch((err: Error) => handlers.onCrash(err));
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) handlers.onCrash(this.explain(e.payload.error));
    });
    // A topic created a moment ago (auto-created by this very subscription) may have no leader yet: retry.
    for (let attempt = 1; ; attempt++) {
      try {
        await consumer.subscribe({ topics: Array.isArray(topics) ? topics : [topics], fromBeginning: this.fromBeginning });
        break;
      } catch (e) {
        if (!(e as { retriable?: boolean }).retriable || attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, Math.min(100 * attempt, 1000)));
      }
    }
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        if (!isRunning() || isStale()) return;
        this.heartbeatFn = heartbeat;
        const records: ConsumedRecord[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: Number(m.offset),
          timestamp: Number(m.timestamp),
          // kafkajs decodes the batch's timestamp type (1 = LogAppendTime) without declaring it in its types.
          timestampType: (m as { batchContext?: { timestampType?: number } }).batchContext?.timestampType === 1 ? 'LogAppendTime' : 'CreateTime',
          key: m.key,
          value: m.value,
          headers: fromKafkajsHeaders(m.headers),
        }));
        const key = `${batch.topic}\u0000${batch.partition}`;
        this.seeked.delete(key);
        const processed = await handlers.onBatch(records, { topic: batch.topic, partition: batch.partition });
        // Advance the fetch position past the batch unless the handler rewound the partition.
        if (processed && !this.seeked.has(key) && records.length && isRunning() && !isStale()) resolveOffset(batch.lastOffset());
      },
    });
  }

  async commit(offsets: PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
  }

  seek(o: PartitionOffset): void {
    this.seeked.add(`${o.topic}\u0000${o.partition}`);
    this.consumer.seek({ topic: o.topic, partition: o.partition, offset: String(o.offset) });
  }

  pause(partitions: TopicPartitionRef[]): void {
    for (const [topic, ps] of byTopic(partitions, partitionOf)) this.consumer.pause([{ topic, partitions: ps }]);
  }

  resume(partitions: TopicPartitionRef[]): void {
    for (const [topic, ps] of byTopic(partitions, partitionOf)) this.consumer.resume([{ topic, partitions: ps }]);
  }

  async heartbeat(): Promise<void> {
    await this.heartbeatFn?.();
  }

  close(): Promise<void> {
    return this.consumer.disconnect();
  }
}

class KafkajsAdmin implements KafkaAdmin {
  constructor(private readonly admin: Admin) {}

  async clusterId(): Promise<string> {
    return (await this.admin.describeCluster()).clusterId;
  }
  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }
  async createTopics(topics: TopicSpec[]): Promise<boolean> {
    // kafkajs answers false when any topic existed, even if it created others: ask only for the missing ones.
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return false;
    const created = await this.admin.createTopics({
      // kafkajs's own leader wait retries LEADER_NOT_AVAILABLE only and fails on the UNKNOWN_TOPIC_OR_PARTITION a
      // broker answers while a new topic's metadata propagates: wait for the leaders here instead.
      waitForLeaders: false,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.numPartitions ?? -1,
        replicationFactor: t.replicationFactor ?? -1,
        configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    await this.waitForLeaders(missing.map((t) => t.topic));
    return created;
  }
  private async waitForLeaders(topics: string[], timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        const md = await this.admin.fetchTopicMetadata({ topics });
        if (md.topics.length === topics.length && md.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      } catch (e) {
        if (!(e as { retriable?: boolean }).retriable || Date.now() > until) throw e;
      }
      if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting for the leaders of ${topics.join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async deleteTopics(topics: string[]): Promise<void> {
    // The broker rejects a request that names a topic twice; unknown topics would fail the whole call.
    const existing = new Set(await this.admin.listTopics());
    const names = [...new Set(topics)].filter((t) => existing.has(t));
    if (names.length) await this.admin.deleteTopics({ topics: names });
  }
  async partitionCount(topic: string): Promise<number> {
    const md = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return md.topics[0]?.partitions.length ?? 0;
  }
  lowWatermark(topic: string, partition: number): Promise<number | null> {
    return this.watermark(topic, partition, 'low');
  }
  highWatermark(topic: string, partition: number): Promise<number | null> {
    return this.watermark(topic, partition, 'high');
  }
  private async watermark(topic: string, partition: number, which: 'low' | 'high'): Promise<number | null> {
    if (!(await this.admin.listTopics()).includes(topic)) return null;
    const offsets = await this.admin.fetchTopicOffsets(topic);
    const p = offsets.find((o) => o.partition === partition);
    return p ? Number(p[which]) : null;
  }
  async groupOffsets(groupId: string): Promise<PartitionOffset[]> {
    const res = await this.admin.fetchOffsets({ groupId });
    const out: PartitionOffset[] = [];
    for (const t of res) {
      for (const p of t.partitions) {
        const offset = Number(p.offset);
        if (offset >= 0) out.push({ topic: t.topic, partition: p.partition, offset });
      }
    }
    return out;
  }
  async setGroupOffsets(groupId: string, offsets: PartitionOffset[]): Promise<void> {
    for (const [topic, list] of byTopic(offsets, (o) => o)) {
      await this.admin.setOffsets({ groupId, topic, partitions: list.map((o) => ({ partition: o.partition, offset: String(o.offset) })) });
    }
  }
  async deleteGroupOffsets(): Promise<void> {
    throw new UnsupportedKafkaFeatureError('Deleting committed offsets (OffsetDelete)', 'kafkajs');
  }
  async deleteGroup(groupId: string): Promise<void> {
    try {
      await this.admin.deleteGroups([groupId]);
    } catch (e) {
      const type = (e as { groups?: Array<{ error?: { type?: string } }> }).groups?.[0]?.error?.type;
      if (type !== 'GROUP_ID_NOT_FOUND') throw e;
    }
  }
  async groupHasMembers(groupId: string): Promise<boolean> {
    const d = await this.admin.describeGroups([groupId]);
    return (d.groups[0]?.members.length ?? 0) > 0;
  }
  close(): Promise<void> {
    return this.admin.disconnect();
  }
}
