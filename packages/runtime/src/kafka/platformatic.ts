/**
 * The default {@link KafkaClient}, on @platformatic/kafka. Settings use the Java clients' names (parsed once in
 * `settings.ts`); the producer partitions as Java's does, is idempotent and retries while Kafka is unreachable; the
 * sink consumer joins the group with the `range` protocol and runs its own
 * fetch loop over the library's Fetch call, so pause, seek and batch redelivery are per partition and a rebalance
 * waits for the commit of the partitions given up before the member rejoins (Java's onPartitionsRevoked).
 */
import {
  Admin,
  type ClusterMetadata,
  type ConnectionOptions,
  Consumer,
  type ExtendedGroupProtocolSubscription,
  findErrorBy,
  type GroupAssignment,
  type GroupPartitionsAssignments,
  type MessageToProduce,
  Producer,
} from '@platformatic/kafka';
import type { Logger } from 'pino';
import type {
  AdminOptions,
  ConsumerHandlers,
  ConsumerOptions,
  GroupMemberOptions,
  KafkaAdmin,
  KafkaClient,
  KafkaConsumer,
  KafkaGroupMember,
  KafkaLogReader,
  KafkaProducer,
  PartitionOffset,
  ProducedRecordMetadata,
  ProducerOptions,
  ProducerRecord,
  TopicPartitionRef,
  TopicSpec,
} from './client';
import { byTopic } from './client';
import { murmur2, toPositive } from './murmur2';
import { PlatformaticGroupMember, PlatformaticLogReader } from './platformatic-group';
import { decodeBatches, endOfBatches, type FetchedBatches, isRetriable, sleep } from './platformatic-records';
import { connectionSecurity, explainSecurityError, type KafkaConnectionSecurity, withSecurityErrors } from './security';
import {
  type ConsumerSettings,
  type ProducerSettings,
  parseConsumerSettings,
  parseProducerSettings,
  securityKeysOf,
  warnUnsupportedSettings,
} from './settings';

const BACKEND = 'platformatic';
/** The Java client keys this backend applies (settings.ts parses more: the rest are warned about once). */
const APPLIED_PRODUCER_KEYS: ReadonlySet<string> = new Set([
  'acks',
  'delivery.timeout.ms',
  'compression.type',
  'enable.idempotence',
  'max.in.flight.requests.per.connection',
  'request.timeout.ms',
  'retry.backoff.ms',
  'metadata.max.age.ms',
]);
const APPLIED_CONSUMER_KEYS: ReadonlySet<string> = new Set([
  'fetch.min.bytes',
  'fetch.max.bytes',
  'fetch.max.wait.ms',
  'max.partition.fetch.bytes',
  'max.poll.records',
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'max.poll.interval.ms',
  'isolation.level',
  'auto.offset.reset',
  'allow.auto.create.topics',
  // Sinks never auto-commit: the worker commits what its tasks flushed (Connect's behaviour).
  'enable.auto.commit',
  'request.timeout.ms',
  'retry.backoff.ms',
  'metadata.max.age.ms',
]);
/** Uncompressed bytes per produce request, at most (brokers refuse requests over message.max.bytes, 1 MiB). */
const MAX_REQUEST_BYTES = 512 * 1024;
const _IS_CONTROL_BATCH = 1 << 5;
const _LOG_APPEND_TIME = 1 << 3;

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const partitionOf = (p: TopicPartitionRef) => p.partition;

function toBuffer(b: Uint8Array | null | undefined): Buffer | undefined {
  if (b === null || b === undefined) return undefined;
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** The library's connection options (TLS, SASL) of a client. */
export function connectionOptions(sec: KafkaConnectionSecurity): Pick<ConnectionOptions, 'tls' | 'sasl'> {
  return {
    ...(sec.tls ? { tls: sec.tls } : {}),
    ...(sec.sasl ? { sasl: { mechanism: sec.sasl.mechanism, username: sec.sasl.username, password: sec.sasl.password } } : {}),
  };
}

export class PlatformaticClient implements KafkaClient {
  /** The worker's security settings (top-level `security.protocol`, `sasl.*`, `ssl.*`), parsed once. */
  private readonly baseSecurity: KafkaConnectionSecurity;

  constructor(
    private readonly brokers: string[],
    private readonly log: Logger,
    private readonly clientId = 'kconnect',
    /** The worker's security keys: every client's, under the client's own settings. */
    private readonly security: Record<string, string> = {},
  ) {
    this.baseSecurity = connectionSecurity(security);
  }

  /** A client's security: the worker's, under the security keys of the client's settings. */
  private securityOf(settings: Record<string, string> | undefined): KafkaConnectionSecurity {
    const own = securityKeysOf(settings);
    return Object.keys(own).length ? connectionSecurity({ ...this.security, ...own }) : this.baseSecurity;
  }

  async producer(options: ProducerOptions): Promise<KafkaProducer> {
    const s = parseProducerSettings(options.settings ?? {});
    const sec = this.securityOf(options.settings);
    warnUnsupportedSettings(this.log, BACKEND, 'producer', options.settings, APPLIED_PRODUCER_KEYS);
    const producer = new Producer({
      ...connectionOptions(sec),
      clientId: options.clientId,
      bootstrapBrokers: this.brokers,
      acks: s.acks,
      idempotent: s.enableIdempotence,
      compression: s.compressionType,
      autocreateTopics: true,
      metadataMaxAge: s.metadataMaxAgeMs,
      timeout: Math.min(s.requestTimeoutMs, 120_000),
      retries: 10,
      retryDelay: Math.max(s.retryBackoffMs, 50),
    });
    producer.on('error', (e: Error) => this.log.error({ err: explainSecurityError(e, sec, this.brokers) }, 'Kafka producer error'));
    return withSecurityErrors(new PlatformaticProducer(producer, s, this.log), sec, this.brokers);
  }

  async consumer(options: ConsumerOptions): Promise<KafkaConsumer> {
    const s = parseConsumerSettings(options.settings ?? {});
    const sec = this.securityOf(options.settings);
    warnUnsupportedSettings(this.log, BACKEND, 'consumer', options.settings, APPLIED_CONSUMER_KEYS);
    return withSecurityErrors(new PlatformaticConsumer(this.brokers, options.clientId, options.groupId, s, this.log, sec), sec, this.brokers);
  }

  async logReader(options: { clientId: string; topic: string; settings?: Record<string, string> }): Promise<KafkaLogReader> {
    const sec = this.securityOf(options.settings);
    const reader = withSecurityErrors(new PlatformaticLogReader(this.brokers, options.clientId, options.topic, connectionOptions(sec)), sec, this.brokers);
    return reader.init();
  }

  async groupMember(options: GroupMemberOptions): Promise<KafkaGroupMember> {
    const sec = this.baseSecurity;
    return withSecurityErrors(new PlatformaticGroupMember(this.brokers, options, this.log, connectionOptions(sec)), sec, this.brokers);
  }

  async admin(options?: AdminOptions): Promise<KafkaAdmin> {
    const sec = this.securityOf(options?.settings);
    const admin = new Admin({
      ...connectionOptions(sec),
      clientId: options?.clientId ?? `${this.clientId}-admin`,
      bootstrapBrokers: this.brokers,
      retries: 5,
      retryDelay: 200,
    });
    admin.on('error', (e: Error) => this.log.error({ err: explainSecurityError(e, sec, this.brokers) }, 'Kafka admin error'));
    return withSecurityErrors(new PlatformaticAdmin(admin), sec, this.brokers);
  }
}

// ---- producer ---------------------------------------------------------------------------------------------------

type Produced = MessageToProduce<Buffer, Buffer, Buffer, Buffer> & { partition: number };

class PlatformaticProducer implements KafkaProducer {
  readonly maxInFlight: number;
  /** Sticky partition for records without a key, per topic: one per send() call (Java's moves on per batch). */
  private readonly sticky = new Map<string, number>();
  /**
   * Produce requests in flight, at most `maxInFlight` whatever the callers do: the broker keeps the order of an
   * idempotent producer's batches, and spots a retried one, only within its last 5 batches per partition.
   */
  private requests = 0;
  private readonly waiting: Array<() => void> = [];
  /** Set while Kafka refuses requests (logged once per outage). */
  private outage = false;
  private closed = false;

  constructor(
    private readonly producer: Producer,
    private readonly s: ProducerSettings,
    private readonly log: Logger,
  ) {
    this.maxInFlight = s.enableIdempotence ? Math.max(1, s.maxInFlightRequestsPerConnection) : 1;
  }

  async send(records: ProducerRecord[]): Promise<ProducedRecordMetadata[]> {
    if (records.length === 0) return [];
    const deadline = Date.now() + this.s.deliveryTimeoutMs;
    const counts = await this.retrying(() => this.partitionCounts(records), deadline);
    const messages: Produced[] = new Array(records.length);
    // Records without a timestamp get the send time (CreateTime), reported back in their metadata.
    const now = BigInt(Date.now());
    for (let i = 0; i < records.length; i++) messages[i] = this.message(records[i]!, counts, now);
    // Large calls go as several requests (at most max.in.flight.requests.per.connection of them at once).
    const chunks: Array<[number, number]> = [];
    let start = 0;
    let bytes = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      bytes += (r.key?.byteLength ?? 0) + (r.value?.byteLength ?? 0) + 24;
      if (bytes >= MAX_REQUEST_BYTES || i === records.length - 1) {
        chunks.push([start, i + 1]);
        start = i + 1;
        bytes = 0;
      }
    }
    for (const t of counts.keys()) this.sticky.set(t, (this.sticky.get(t) ?? Math.floor(Math.random() * 1024)) + 1);
    const out: ProducedRecordMetadata[] = new Array(records.length);
    if (this.maxInFlight > 1) await Promise.all(chunks.map(([from, to]) => this.sendChunk(messages, from, to, out, deadline)));
    else for (const [from, to] of chunks) await this.sendChunk(messages, from, to, out, deadline);
    return out;
  }

  private async sendChunk(messages: Produced[], from: number, to: number, out: ProducedRecordMetadata[], deadline: number): Promise<void> {
    await this.acquire();
    let result: Awaited<ReturnType<Producer['send']>>;
    try {
      const chunk = from === 0 && to === messages.length ? messages : messages.slice(from, to);
      result = await this.retrying(() => this.producer.send({ messages: chunk }), deadline);
    } finally {
      this.release();
    }
    // Records of one partition were appended in input order from the partition's base offset.
    const next = new Map<string, number[]>();
    for (const o of result.offsets ?? []) {
      let byPartition = next.get(o.topic);
      if (!byPartition) next.set(o.topic, (byPartition = []));
      byPartition[o.partition] = Number(o.offset);
    }
    for (let i = from; i < to; i++) {
      const m = messages[i]!;
      const byPartition = next.get(m.topic);
      const offset = byPartition?.[m.partition] ?? -1;
      if (offset >= 0) byPartition![m.partition] = offset + 1;
      out[i] = { topic: m.topic, partition: m.partition, offset, timestamp: Number(m.timestamp) };
    }
  }

  /**
   * Calls `fn` until it succeeds, fails with a non-retriable error, the producer closes or `deadline` (from
   * delivery.timeout.ms, unbounded by Connect's default) passes: a broker restart delays records, as with Java's
   * producer, instead of failing the task. Backoff from retry.backoff.ms, doubling up to 1 s (Java's
   * retry.backoff.max.ms). Requests retried together were sent together and are re-sent in the same order.
   */
  private async retrying<T>(fn: () => Promise<T>, deadline: number): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await fn();
        this.outage = false;
        return r;
      } catch (e) {
        if (this.closed || !isRetriable(e) || Date.now() >= deadline) throw e;
        if (!this.outage) this.log.warn(`Kafka did not take a produce request (${(e as Error).message}); retrying until delivery.timeout.ms`);
        this.outage = true;
        await sleep(Math.min(this.s.retryBackoffMs * 2 ** attempt, 1000));
      }
    }
  }

  /** Waits for a request slot; slots are handed out in call order, so requests leave in the order they were made. */
  private acquire(): Promise<void> | undefined {
    if (this.requests < this.maxInFlight && this.waiting.length === 0) {
      this.requests++;
      return undefined;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.requests--;
  }

  /** Partition counts of the topics of a send (from the client's metadata cache, refreshed every metadata.max.age.ms). */
  private async partitionCounts(records: ProducerRecord[]): Promise<Map<string, number>> {
    const topics = new Set<string>();
    for (const r of records) topics.add(r.topic);
    const md = await this.producer.metadata({ topics: [...topics], autocreateTopics: true });
    const counts = new Map<string, number>();
    for (const t of topics) counts.set(t, md.topics.get(t)?.partitionsCount ?? 1);
    return counts;
  }

  private message(r: ProducerRecord, counts: Map<string, number>, now: bigint): Produced {
    const n = counts.get(r.topic)!;
    const key = toBuffer(r.key);
    let partition: number;
    if (r.partition !== null && r.partition !== undefined) partition = r.partition;
    else if (key) partition = toPositive(murmur2(key)) % n;
    else partition = (this.sticky.get(r.topic) ?? 0) % n;
    const timestamp = r.timestamp === null || r.timestamp === undefined ? now : BigInt(r.timestamp);
    const m: Produced = { topic: r.topic, partition, key, value: toBuffer(r.value), timestamp };
    if (r.headers?.length) {
      // A Map keyed by distinct Buffer objects keeps repeated header keys (Kafka allows them).
      const h = new Map<Buffer, Buffer>();
      for (const [k, v] of r.headers) h.set(Buffer.from(k), toBuffer(v) as Buffer);
      m.headers = h;
    }
    return m;
  }

  close(): Promise<void> {
    this.closed = true;
    return this.producer.close();
  }
}

// ---- consumer ---------------------------------------------------------------------------------------------------

/** Java's RangeAssigner: per topic, members sorted by id each take a contiguous range, the first ones one more. */
export function rangeAssigner(
  _current: string,
  members: Map<string, ExtendedGroupProtocolSubscription>,
  _topics: Set<string>,
  metadata: ClusterMetadata,
): GroupPartitionsAssignments[] {
  const out = new Map<string, Map<string, GroupAssignment>>();
  for (const id of members.keys()) out.set(id, new Map());
  const subscribers = new Map<string, string[]>();
  for (const [id, m] of members) {
    for (const t of m.topics ?? []) {
      const l = subscribers.get(t);
      if (l) l.push(id);
      else subscribers.set(t, [id]);
    }
  }
  for (const [topic, ids] of subscribers) {
    const n = metadata.topics.get(topic)?.partitionsCount ?? 0;
    if (n === 0) continue;
    ids.sort();
    const per = Math.floor(n / ids.length);
    const extra = n % ids.length;
    let p = 0;
    ids.forEach((id, i) => {
      const count = per + (i < extra ? 1 : 0);
      if (count === 0) return;
      const partitions = Array.from({ length: count }, (_, j) => p + j);
      p += count;
      out.get(id)!.set(topic, { topic, partitions });
    });
  }
  return [...out].map(([memberId, assignments]) => ({ memberId, assignments }));
}

/** A partition's fetched record batches, with the position, version and generation they were fetched at. */
interface Fetched {
  topic: string;
  partition: number;
  batches: FetchedBatches;
  position: number;
  version: number;
  generation: number;
  /** The offset after the last fetched batch: the position once all of it is delivered. */
  end: number;
}

class PlatformaticConsumer implements KafkaConsumer {
  private readonly consumer: Consumer;
  private handlers: ConsumerHandlers | undefined;
  private assignment: TopicPartitionRef[] = [];
  /** Next offset to fetch per assigned partition. */
  private readonly positions = new Map<string, number>();
  /** Bumped by seek/pause/revoke: data fetched before the bump is not delivered. */
  private readonly versions = new Map<string, number>();
  private readonly paused = new Set<string>();
  private generation = 0;
  private rebalancing = true;
  private closed = false;
  private assigning: Promise<void> = Promise.resolve();
  private delivering: Promise<unknown> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private regexTimer: NodeJS.Timeout | undefined;
  private admin: Admin | undefined;

  constructor(
    private readonly brokers: string[],
    clientId: string,
    groupId: string,
    private readonly s: ConsumerSettings,
    private readonly log: Logger,
    private readonly sec: KafkaConnectionSecurity,
  ) {
    this.consumer = new Consumer({
      ...connectionOptions(sec),
      clientId,
      groupId,
      bootstrapBrokers: brokers,
      autocommit: false,
      sessionTimeout: s.sessionTimeoutMs,
      heartbeatInterval: s.heartbeatIntervalMs,
      rebalanceTimeout: Math.max(s.maxPollIntervalMs, s.sessionTimeoutMs),
      protocols: [{ name: 'range', version: 1 }],
      partitionAssigner: rangeAssigner,
      // Called before every JoinGroup: the partitions are given up (and their offsets committed) first.
      protocolsMetadata: async () => {
        await this.revoke();
        return Buffer.alloc(0);
      },
      minBytes: s.fetchMinBytes,
      maxBytes: s.fetchMaxBytes,
      maxBytesPerPartition: s.maxPartitionFetchBytes,
      maxWaitTime: s.fetchMaxWaitMs,
      isolationLevel: s.isolationLevel === 'read_committed' ? 1 : 0,
      metadataMaxAge: s.metadataMaxAgeMs,
      autocreateTopics: s.allowAutoCreateTopics,
      timeout: Math.min(Math.max(s.requestTimeoutMs, s.fetchMaxWaitMs + 5_000), 120_000),
      retries: 10,
      retryDelay: Math.max(s.retryBackoffMs, 50),
    });
    // A rejoin that failed after the library's retries: while Kafka is unreachable, try again (as Java's consumer
    // keeps looking for the coordinator); any other error fails the task, as Java's does when poll() throws.
    this.consumer.on('error', (e: Error) => (isRetriable(e) ? this.rejoinLater(e) : this.crash(e)));
    this.consumer.on('consumer:group:join', (p: { assignments?: GroupAssignment[] }) => {
      // Positions that cannot be found (e.g. auto.offset.reset=none without a commit) fail the task.
      this.assigning = this.assigning.then(() => this.assigned(p.assignments ?? [])).catch((e: Error) => this.crash(e));
    });
  }

  async run(topics: string[] | RegExp, handlers: ConsumerHandlers): Promise<void> {
    this.handlers = handlers;
    if (Array.isArray(topics)) this.consumer.topics.trackAll(...topics);
    else {
      this.admin = new Admin({ ...connectionOptions(this.sec), clientId: `${this.consumer.clientId}-topics`, bootstrapBrokers: this.brokers });
      this.admin.on('error', (e: Error) => this.log.warn({ err: e }, 'Kafka admin error (topics.regex)'));
      await this.subscribeMatching(topics);
      this.regexTimer = setInterval(() => {
        this.subscribeMatching(topics)
          .then((changed) => (changed && !this.closed ? this.consumer.joinGroup() : undefined))
          .catch((e: Error) => this.log.warn({ err: e }, 'could not refresh the topics matching the subscription'));
      }, this.s.metadataMaxAgeMs);
    }
    await this.joinWithRetry();
    await this.assigning;
    if (!this.closed) this.loop = this.fetchLoop();
  }

  /** The first join: a topic created a moment ago may have no leader yet. */
  private async joinWithRetry(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.consumer.joinGroup();
        return;
      } catch (e) {
        if (this.closed) return;
        if (!isRetriable(e) || attempt >= 20) throw e;
        await sleep(Math.min(100 * attempt, 1000));
      }
    }
  }

  private rejoinLater(e: Error, attempt = 1): void {
    if (this.closed) return;
    if (attempt === 1) this.log.warn(`Lost the consumer group (${e.message}); rejoining`);
    setTimeout(
      () => {
        if (this.closed) return;
        this.consumer.joinGroup().catch((err: Error) => (isRetriable(err) ? this.rejoinLater(err, attempt + 1) : this.crash(err)));
      },
      Math.min(this.s.retryBackoffMs * 2 ** attempt, 5_000),
    ).unref?.();
  }

  /** Tracks the topics matching `regex` (and untracks the others); true when the set changed. */
  private async subscribeMatching(regex: RegExp): Promise<boolean> {
    const all = await this.admin!.listTopics();
    const want = new Set(all.filter((t) => regex.test(t)));
    const have = new Set(this.consumer.topics.current);
    const added = [...want].filter((t) => !have.has(t));
    const removed = [...have].filter((t) => !want.has(t));
    if (added.length) this.consumer.topics.trackAll(...added);
    if (removed.length) this.consumer.topics.untrackAll(...removed);
    return added.length + removed.length > 0;
  }

  /** Before a (re)join: stop delivering, let the batch being delivered finish, let the task commit. */
  private async revoke(): Promise<void> {
    this.rebalancing = true;
    this.generation++;
    await this.delivering;
    if (this.assignment.length && this.handlers && !this.closed) {
      try {
        await this.handlers.onRebalancing();
      } catch (e) {
        this.log.warn({ err: e }, 'commit before rebalance failed');
      }
    }
  }

  /** After a join: positions for new partitions from the group's commits (or auto.offset.reset), then the handler. */
  private async assigned(assignments: GroupAssignment[]): Promise<void> {
    const next: TopicPartitionRef[] = [];
    for (const a of assignments) for (const partition of a.partitions) next.push({ topic: a.topic, partition });
    const keys = new Set(next.map((p) => tpKey(p.topic, p.partition)));
    for (const k of [...this.positions.keys()]) if (!keys.has(k)) this.positions.delete(k);
    const fresh = next.filter((p) => !this.positions.has(tpKey(p.topic, p.partition)));
    if (fresh.length) await this.initPositions(fresh);
    this.assignment = next;
    try {
      await this.handlers?.onAssigned(next);
    } catch (e) {
      this.handlers?.onCrash(e as Error);
    }
    this.rebalancing = false;
    this.wake();
  }

  private async initPositions(partitions: TopicPartitionRef[]): Promise<void> {
    const grouped = byTopic(partitions, partitionOf);
    const committed = await this.consumer.listCommittedOffsets({
      topics: [...grouped].map(([topic, ps]) => ({ topic, partitions: ps })),
    });
    const missing: TopicPartitionRef[] = [];
    for (const p of partitions) {
      const o = committed.get(p.topic)?.[p.partition];
      if (o !== undefined && o >= 0n) this.positions.set(tpKey(p.topic, p.partition), Number(o));
      else missing.push(p);
    }
    if (missing.length) await this.reset(missing);
  }

  /** Positions per auto.offset.reset (earliest/latest); `none` fails as Java's NoOffsetForPartitionException. */
  private async reset(partitions: TopicPartitionRef[]): Promise<void> {
    if (this.s.autoOffsetReset === 'none') {
      throw new Error(`Undefined offset with no reset policy for partitions: ${partitions.map((p) => `${p.topic}-${p.partition}`).join(', ')}`);
    }
    const offsets = await this.offsetsAt(partitions, this.s.autoOffsetReset === 'latest' ? -1n : -2n);
    for (const [k, o] of offsets) this.positions.set(k, o);
  }

  /** ListOffsets with Kafka's special timestamps (-2 the earliest offset, -1 the end), by partition key. */
  private async offsetsAt(partitions: TopicPartitionRef[], timestamp: -1n | -2n): Promise<Map<string, number>> {
    const grouped = byTopic(partitions, partitionOf);
    const listed = await this.consumer.listOffsets({ topics: [...grouped.keys()], partitions: Object.fromEntries(grouped), timestamp });
    return new Map(partitions.map((p) => [tpKey(p.topic, p.partition), Number(listed.get(p.topic)?.[p.partition] ?? 0n)]));
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async fetchLoop(): Promise<void> {
    let failures = 0;
    /** The next fetch, asked for while the data of the previous one is delivered (as Java's consumer prefetches). */
    let ahead: Promise<Fetched[]> | undefined;
    while (!this.closed) {
      const wanted = this.rebalancing ? [] : this.assignment.filter((p) => !this.paused.has(tpKey(p.topic, p.partition)));
      if (wanted.length === 0) {
        ahead = undefined;
        await this.idle(200);
        continue;
      }
      try {
        const fetched = await (ahead ?? this.fetch(wanted, (k) => this.positions.get(k)));
        ahead = undefined;
        failures = 0;
        if (fetched.length) {
          // From where each partition will be once all of this is delivered; what a seek, pause, redelivery or
          // rebalance makes stale meanwhile is dropped when its turn comes (deliver checks).
          const next = new Map(fetched.map((f) => [tpKey(f.topic, f.partition), f.end]));
          ahead = this.fetch(wanted, (k) => next.get(k) ?? this.positions.get(k));
          ahead.catch(() => undefined);
        }
        for (const f of fetched) {
          const run = this.delivering.then(() => this.deliver(f));
          this.delivering = run.catch(() => undefined);
          await run;
        }
      } catch (e) {
        ahead = undefined;
        if (this.closed) return;
        if (findErrorBy(e as Error, 'apiId', 'OFFSET_OUT_OF_RANGE')) {
          await this.resetOutOfRange(wanted).catch((err: Error) => this.crash(err));
          continue;
        }
        if (!isRetriable(e) && !findErrorBy(e as Error, 'apiId', 'UNKNOWN_TOPIC_OR_PARTITION')) {
          this.crash(e as Error);
          return;
        }
        failures++;
        this.log.debug({ err: e }, 'fetch failed; retrying');
        await this.idle(Math.min(this.s.retryBackoffMs * 2 ** Math.min(failures, 6), 10_000));
      }
    }
  }

  private crash(e: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers?.onCrash(explainSecurityError(e, this.sec, this.brokers) as Error);
  }

  /** One Fetch per leader, all at once, from the given positions; the partitions that returned records. */
  private async fetch(partitions: TopicPartitionRef[], positionOf: (key: string) => number | undefined): Promise<Fetched[]> {
    const md = await this.consumer.metadata({ topics: [...new Set(partitions.map((p) => p.topic))] });
    const byNode = new Map<number, TopicPartitionRef[]>();
    for (const p of partitions) {
      const leader = md.topics.get(p.topic)?.partitions[p.partition]?.leader ?? -1;
      if (leader < 0) continue;
      const l = byNode.get(leader);
      if (l) l.push(p);
      else byNode.set(leader, [p]);
    }
    if (byNode.size === 0) {
      await this.idle(this.s.retryBackoffMs);
      return [];
    }
    const perNode = await Promise.all([...byNode].map(([node, ps]) => this.fetchFrom(node, ps, md, positionOf)));
    return perNode.flat();
  }

  private async fetchFrom(
    node: number,
    partitions: TopicPartitionRef[],
    md: ClusterMetadata,
    positionOf: (key: string) => number | undefined,
  ): Promise<Fetched[]> {
    const generation = this.generation;
    const names = new Map<string, string>();
    const requested = new Map<string, { position: number; version: number }>();
    const topics = [...byTopic(partitions, partitionOf)].map(([topic, ps]) => {
      const topicId = md.topics.get(topic)!.id;
      names.set(topicId, topic);
      const wanted = [];
      for (const partition of ps) {
        const k = tpKey(topic, partition);
        const position = positionOf(k);
        if (position === undefined) continue;
        requested.set(k, { position, version: this.versions.get(k) ?? 0 });
        wanted.push({
          partition,
          fetchOffset: BigInt(position),
          partitionMaxBytes: this.s.maxPartitionFetchBytes,
          currentLeaderEpoch: -1,
          lastFetchedEpoch: -1,
        });
      }
      return { topicId, partitions: wanted };
    });
    const response = await this.consumer.fetch({ node, topics: topics.filter((t) => t.partitions.length) });
    const out: Fetched[] = [];
    for (const t of response.responses) {
      const topic = names.get(t.topicId) ?? t.topicId;
      for (const p of t.partitions) {
        const req = requested.get(tpKey(topic, p.partitionIndex));
        if (!req || !p.records?.length) continue;
        out.push({ topic, partition: p.partitionIndex, batches: p.records, ...req, generation, end: endOfBatches(p.records, req.position) });
      }
    }
    return out;
  }

  /** Hands a partition's fetched batches to onBatch in chunks of max.poll.records, unless something moved it since. */
  private async deliver(f: Fetched): Promise<void> {
    const { topic, partition, batches, generation } = f;
    const k = tpKey(topic, partition);
    if (this.closed || generation !== this.generation || (this.versions.get(k) ?? 0) !== f.version || this.positions.get(k) !== f.position) return;
    const records = decodeBatches(topic, partition, batches, f.position);
    const tp = { topic, partition };
    const max = this.s.maxPollRecords;
    for (let i = 0; i < records.length; i += max) {
      const chunk = i === 0 && records.length <= max ? records : records.slice(i, i + max);
      const version = this.versions.get(k) ?? 0;
      const ok = await this.handlers!.onBatch(chunk, tp);
      // A seek inside onBatch (or a revoke) decides the position; false leaves it at the chunk for redelivery.
      if (!ok || (this.versions.get(k) ?? 0) !== version || generation !== this.generation || this.closed) return;
      this.positions.set(k, chunk[chunk.length - 1]!.offset + 1);
    }
    // All delivered: move past control records and aborted transactions too.
    this.positions.set(k, Math.max(f.end, this.positions.get(k) ?? f.end));
  }

  private async resetOutOfRange(partitions: TopicPartitionRef[]): Promise<void> {
    const [earliest, latest] = await Promise.all([this.offsetsAt(partitions, -2n), this.offsetsAt(partitions, -1n)]);
    const out = partitions.filter((p) => {
      const k = tpKey(p.topic, p.partition);
      const pos = this.positions.get(k);
      return pos !== undefined && (pos < earliest.get(k)! || pos > latest.get(k)!);
    });
    if (out.length) {
      this.log.info({ partitions: out }, 'fetch position out of range; resetting per auto.offset.reset');
      for (const p of out) this.bump(tpKey(p.topic, p.partition));
      await this.reset(out);
    }
  }

  private bump(k: string): void {
    this.versions.set(k, (this.versions.get(k) ?? 0) + 1);
  }

  async commit(offsets: PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.consumer.commit({
      offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: BigInt(o.offset), leaderEpoch: -1 })),
    });
  }

  seek(o: PartitionOffset): void {
    const k = tpKey(o.topic, o.partition);
    if (!this.positions.has(k) && !this.assignment.some((p) => p.topic === o.topic && p.partition === o.partition)) return;
    this.bump(k);
    this.positions.set(k, o.offset);
  }

  pause(partitions: TopicPartitionRef[]): void {
    for (const p of partitions) {
      const k = tpKey(p.topic, p.partition);
      if (this.paused.has(k)) continue;
      this.paused.add(k);
      this.bump(k);
    }
  }

  resume(partitions: TopicPartitionRef[]): void {
    let any = false;
    for (const p of partitions) any = this.paused.delete(tpKey(p.topic, p.partition)) || any;
    if (any) this.wake();
  }

  /** The library heartbeats on its own timer, whatever the task is doing. */
  async heartbeat(): Promise<void> {}

  /** Idempotent; also right after a `run()` that a close overtook. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.regexTimer);
    this.generation++;
    this.wake();
    await this.loop?.catch(() => undefined);
    await this.admin?.close().catch(() => undefined);
    await this.consumer.close().catch(() => this.consumer.close(true));
  }
}

// ---- admin ------------------------------------------------------------------------------------------------------

class PlatformaticAdmin implements KafkaAdmin {
  constructor(private readonly admin: Admin) {}

  async clusterId(): Promise<string> {
    return (await this.admin.metadata({ topics: [] })).id;
  }

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  async createTopics(topics: TopicSpec[]): Promise<boolean> {
    const existing = new Set(await this.admin.listTopics({ includeInternals: true }));
    let created = false;
    for (const t of topics) {
      if (existing.has(t.topic)) continue;
      try {
        await this.admin.createTopics({
          topics: [t.topic],
          partitions: t.numPartitions ?? -1,
          replicas: t.replicationFactor ?? -1,
          configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        });
        created = true;
        existing.add(t.topic);
      } catch (e) {
        if (!findErrorBy(e as Error, 'apiId', 'TOPIC_ALREADY_EXISTS')) throw e;
      }
    }
    if (created) await this.waitForLeaders(topics.map((t) => t.topic));
    return created;
  }

  private async waitForLeaders(topics: string[]): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const md = await this.admin.metadata({ topics, forceUpdate: true });
        if (topics.every((t) => (md.topics.get(t)?.partitions ?? []).every((p) => p.leader >= 0) && md.topics.has(t))) return;
      } catch (e) {
        if (!isRetriable(e) && !findErrorBy(e as Error, 'apiId', 'UNKNOWN_TOPIC_OR_PARTITION')) throw e;
      }
      await sleep(100);
    }
  }

  async deleteTopics(topics: string[]): Promise<void> {
    const existing = new Set(await this.admin.listTopics({ includeInternals: true }));
    const names = [...new Set(topics)].filter((t) => existing.has(t));
    if (names.length) await this.admin.deleteTopics({ topics: names });
  }

  private async exists(topic: string): Promise<boolean> {
    return (await this.admin.listTopics({ includeInternals: true })).includes(topic);
  }

  async partitionCount(topic: string): Promise<number> {
    if (!(await this.exists(topic))) return 0;
    const md = await this.admin.metadata({ topics: [topic], forceUpdate: true });
    return md.topics.get(topic)?.partitionsCount ?? 0;
  }

  lowWatermark(topic: string, partition: number): Promise<number | null> {
    return this.watermark(topic, partition, -2n);
  }

  highWatermark(topic: string, partition: number): Promise<number | null> {
    return this.watermark(topic, partition, -1n);
  }

  /** ListOffsets with Kafka's special timestamps: -2 the earliest offset, -1 the end. */
  private async watermark(topic: string, partition: number, timestamp: -1n | -2n): Promise<number | null> {
    if (!(await this.exists(topic))) return null;
    try {
      const res = await this.admin.listOffsets({ topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp }] }] });
      const p = res[0]?.partitions.find((x) => x.partitionIndex === partition);
      return p ? Number(p.offset) : null;
    } catch (e) {
      if (findErrorBy(e as Error, 'apiId', 'UNKNOWN_TOPIC_OR_PARTITION')) return null;
      throw e;
    }
  }

  async groupOffsets(groupId: string): Promise<PartitionOffset[]> {
    const res = await this.admin.listConsumerGroupOffsets({ groups: [groupId] });
    const out: PartitionOffset[] = [];
    for (const g of res) {
      for (const t of g.topics) {
        for (const p of t.partitions) {
          if (p.committedOffset >= 0n) out.push({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset) });
        }
      }
    }
    return out;
  }

  async setGroupOffsets(groupId: string, offsets: PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.admin.alterConsumerGroupOffsets({
      groupId,
      topics: [...byTopic(offsets, (o) => o)].map(([name, list]) => ({
        name,
        partitionOffsets: list.map((o) => ({ partition: o.partition, offset: BigInt(o.offset) })),
      })),
    });
  }

  async deleteGroupOffsets(groupId: string, partitions: TopicPartitionRef[]): Promise<void> {
    if (partitions.length === 0) return;
    try {
      await this.admin.deleteConsumerGroupOffsets({
        groupId,
        topics: [...byTopic(partitions, partitionOf)].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
      });
    } catch (e) {
      if (findErrorBy(e as Error, 'apiId', 'GROUP_ID_NOT_FOUND')) return;
      throw e;
    }
  }

  async deleteGroup(groupId: string): Promise<void> {
    try {
      await this.admin.deleteGroups({ groups: [groupId] });
    } catch (e) {
      if (!findErrorBy(e as Error, 'apiId', 'GROUP_ID_NOT_FOUND')) throw e;
    }
  }

  async groupHasMembers(groupId: string): Promise<boolean> {
    // ListGroups' state rather than DescribeGroups: the library decodes every member's metadata as a consumer's,
    // which throws on a Connect workers' group.
    const state = String((await this.admin.listGroups()).get(groupId)?.state ?? 'Dead').toUpperCase();
    return state !== 'EMPTY' && state !== 'DEAD' && state !== 'UNKNOWN';
  }

  close(): Promise<void> {
    return this.admin.close();
  }
}
