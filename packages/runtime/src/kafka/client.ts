/**
 * The runtime's one interface to Kafka. Everything else in the runtime talks to these types only; the backends
 * (`platformatic.ts`, the default, and `kafkajs.ts`) are the only files that import a Kafka client library.
 */

export type KafkaHeaders = Array<[string, Uint8Array | null]>;

export interface ProducerRecord {
  topic: string;
  /** Explicit partition, or null/undefined for the Java-compatible default partitioner (murmur2 of the key). */
  partition?: number | null;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers?: KafkaHeaders;
  timestamp?: number | null;
}

/** Where Kafka stored one record. */
export interface ProducedRecordMetadata {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

export interface KafkaProducer {
  /**
   * Sends records with acks=all and resolves, in input order, with each record's metadata once Kafka acknowledged
   * all of them; rejects if any failed (the caller treats the whole call as unacknowledged).
   */
  send(records: ProducerRecord[]): Promise<ProducedRecordMetadata[]>;
  /**
   * How many `send` calls the caller may keep outstanding at once (`max.in.flight.requests.per.connection` with the
   * idempotent producer, 1 otherwise); the producer keeps their requests in call order.
   */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: KafkaHeaders;
}

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

export interface PartitionOffset extends TopicPartitionRef {
  /** Offset of the next record to read. */
  offset: number;
}

/** Callbacks from a running consumer. Each is awaited before the consumer goes on. */
export interface ConsumerHandlers {
  /**
   * A batch of records of one partition, in offset order. Resolve true when it was processed (the fetch position
   * moves past it), false to have it delivered again (e.g. the task is stopping).
   */
  onBatch(records: ConsumedRecord[], partition: TopicPartitionRef): Promise<boolean>;
  /** The group assigned these partitions (called after every rebalance with the full new assignment). */
  onAssigned(partitions: TopicPartitionRef[]): Promise<void>;
  /** A rebalance started; the current assignment may be taken away. */
  onRebalancing(): Promise<void>;
  /** The consumer crashed and will not restart by itself. */
  onCrash(error: Error): void;
}

export interface KafkaConsumer {
  /** Subscribe to topics (names or one regex) and run; resolves once the consumer is running. */
  run(topics: string[] | RegExp, handlers: ConsumerHandlers): Promise<void>;
  commit(offsets: PartitionOffset[]): Promise<void>;
  seek(offset: PartitionOffset): void;
  pause(partitions: TopicPartitionRef[]): void;
  resume(partitions: TopicPartitionRef[]): void;
  /** Keeps the group membership alive during a long `onBatch`. */
  heartbeat(): Promise<void>;
  close(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface KafkaAdmin {
  clusterId(): Promise<string>;
  listTopics(): Promise<string[]>;
  /** Creates the topics that do not exist yet; resolves true when it created any. */
  createTopics(topics: TopicSpec[]): Promise<boolean>;
  /** Deletes the topics that exist (duplicates and unknown names are ignored). */
  deleteTopics(topics: string[]): Promise<void>;
  partitionCount(topic: string): Promise<number>;
  /** The earliest available offset of a partition, or null when the topic is unknown. */
  lowWatermark(topic: string, partition: number): Promise<number | null>;
  /** The offset after the last record of a partition (its end offset), or null when the topic is unknown. */
  highWatermark(topic: string, partition: number): Promise<number | null>;
  /** Committed offsets of a consumer group (partitions with no commit are absent). */
  groupOffsets(groupId: string): Promise<PartitionOffset[]>;
  /** Sets committed offsets of an empty consumer group. */
  setGroupOffsets(groupId: string, offsets: PartitionOffset[]): Promise<void>;
  /**
   * Deletes the committed offsets of some partitions of an empty group (Kafka's OffsetDelete), as Java's
   * `Admin.deleteConsumerGroupOffsets`; partitions with no commit are ignored. Rejects with
   * {@link UnsupportedKafkaFeatureError} on a backend that cannot.
   */
  deleteGroupOffsets(groupId: string, partitions: TopicPartitionRef[]): Promise<void>;
  /** Deletes a consumer group (its committed offsets go with it); no error when it does not exist. */
  deleteGroup(groupId: string): Promise<void>;
  /** Whether the group has active members. */
  groupHasMembers(groupId: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface ProducerOptions {
  clientId: string;
  /** `producer.*` worker settings and `producer.override.*` connector settings, prefix removed. */
  settings?: Record<string, string>;
}

export interface AdminOptions {
  clientId?: string;
  /**
   * `admin.*` worker settings and `admin.override.*` connector settings, prefix removed: only the security keys
   * (`security.protocol`, `sasl.*`, `ssl.*`) are read.
   */
  settings?: Record<string, string>;
}

export interface ConsumerOptions {
  clientId: string;
  groupId: string;
  settings?: Record<string, string>;
}

/**
 * Reads every partition of one topic from its start, outside any consumer group: the consumer of Java's
 * `KafkaBasedLog`, which the distributed worker's config, offset and status stores are built on.
 */
export interface KafkaLogReader {
  /** The records after those of the previous call (any partitions, each in offset order); waits up to `maxWaitMs` for some. */
  poll(maxWaitMs: number): Promise<ConsumedRecord[]>;
  /** Each partition's end offset now: what a read "to the end" must reach. */
  endOffsets(): Promise<Map<number, number>>;
  /** The next offset `poll` reads, per partition. */
  positions(): ReadonlyMap<number, number>;
  close(): Promise<void>;
}

export interface GroupMemberOptions {
  clientId: string;
  groupId: string;
  /** The group's protocol type (`connect` for Connect workers; `consumer` groups are the consumers'). */
  protocolType: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
}

/** What JoinGroup answered: the generation, the leader, and (for the leader only) every member's metadata. */
export interface GroupJoinResult {
  generationId: number;
  memberId: string;
  leaderId: string;
  protocolName: string;
  members: Array<{ memberId: string; metadata: Uint8Array }>;
}

/**
 * Membership of a Kafka group through the group coordinator's JoinGroup / SyncGroup / Heartbeat / LeaveGroup, for a
 * caller that speaks its own protocol over them (Java's `AbstractCoordinator`). Coordinator moves are followed
 * inside; {@link GroupRejoinNeeded} tells the caller to join again.
 */
export interface KafkaGroupMember {
  join(protocols: Array<{ name: string; metadata: Uint8Array }>): Promise<GroupJoinResult>;
  /** The leader passes every member's assignment, the others none; resolves with this member's assignment. */
  sync(join: GroupJoinResult, assignments: Array<{ memberId: string; assignment: Uint8Array }>): Promise<Uint8Array>;
  heartbeat(generationId: number): Promise<void>;
  /** Since when calls to the coordinator fail for network reasons (null while it answers): for fencing. */
  unreachableSince(): number | null;
  /** Leaves the group (the coordinator rebalances the others at once) and forgets the member id. */
  leave(reason: string): Promise<void>;
  close(): Promise<void>;
}

/** The group is rebalancing, or this member's generation or id is no longer valid: join again. */
export class GroupRejoinNeeded extends Error {
  constructor(
    readonly reason: string,
    /** The member id is gone (UNKNOWN_MEMBER_ID): join as a new member. */
    readonly resetMemberId = false,
  ) {
    super(`rejoin needed: ${reason}`);
    this.name = 'GroupRejoinNeeded';
  }
}

/**
 * Creates Kafka clients for one cluster. Each client connects with the security settings (`security.protocol`,
 * `sasl.*`, `ssl.*`) the client was created with (see `createKafkaClient`), under those of its own `settings`.
 */
export interface KafkaClient {
  producer(options: ProducerOptions): Promise<KafkaProducer>;
  consumer(options: ConsumerOptions): Promise<KafkaConsumer>;
  /** An admin client; `options.settings` as a producer's (only their security keys are read). */
  admin(options?: AdminOptions): Promise<KafkaAdmin>;
  /** Rejects with {@link UnsupportedKafkaFeatureError} on a backend that cannot read without a group. */
  logReader(options: { clientId: string; topic: string; settings?: Record<string, string> }): Promise<KafkaLogReader>;
  /** Rejects with {@link UnsupportedKafkaFeatureError} on a backend without the group coordinator's calls. */
  groupMember(options: GroupMemberOptions): Promise<KafkaGroupMember>;
}

/** A backend was asked for something its client library cannot do (e.g. OffsetDelete on kafkajs). */
export class UnsupportedKafkaFeatureError extends Error {
  constructor(feature: string, backend: string) {
    super(`${feature} is not supported by the ${backend} Kafka client; use kafka.client=platformatic (the default)`);
    this.name = 'UnsupportedKafkaFeatureError';
  }
}

/** Items grouped by their topic (in first-seen order), each mapped by `value`: e.g. a topic's partition numbers. */
export function byTopic<T extends { topic: string }, V>(items: readonly T[], value: (item: T) => V): Map<string, V[]> {
  const m = new Map<string, V[]>();
  for (const item of items) {
    const l = m.get(item.topic);
    if (l) l.push(value(item));
    else m.set(item.topic, [value(item)]);
  }
  return m;
}
