/**
 * Source offsets in Kafka's offsets topic (`offset.storage.topic`), as Java's `KafkaOffsetBackingStore` keeps them:
 * key `["<connector>",{<source partition>}]` and value the offset map, both compact JSON without schema envelope;
 * a null value deletes the offset. Every worker reads the whole topic, so a task that moves to another worker goes on
 * from the last offset committed anywhere.
 *
 * Keys written by Java keep their bytes: an offset this worker writes for a partition it read from the topic reuses
 * the key bytes it read (Java looks offsets up by those bytes, and compaction keeps one record per key).
 */
import type { OffsetMap } from '@kconnect/api';
import type { ConsumedRecord, KafkaAdmin, KafkaClient } from '../kafka/client';
import type { Logger } from '../logging';
import { KafkaBasedLog } from './kafka-based-log';
import { MemoryOffsetStore, type OffsetEntry, type OffsetStore, offsetKey, parseOffsetKey } from './offset-store';

const decoder = new TextDecoder();

export class KafkaOffsetStore extends MemoryOffsetStore {
  private readonly log: KafkaBasedLog;
  /** Canonical key → the key bytes seen on the topic. */
  private readonly rawKeys = new Map<string, Buffer>();

  constructor(
    client: KafkaClient,
    admin: KafkaAdmin,
    topic: string,
    partitions: number,
    replicationFactor: number,
    clientId: string,
    logger: Logger,
    producerSettings?: Record<string, string>,
  ) {
    super();
    this.log = new KafkaBasedLog(
      client,
      admin,
      { topic, clientId: `${clientId}-offsets`, partitions, replicationFactor, producerSettings, onRecord: (r) => this.read(r) },
      logger,
    );
  }

  override start(): Promise<void> {
    return this.log.start();
  }

  override stop(): Promise<void> {
    return this.log.stop();
  }

  /** Catches up with every offset committed so far, by any worker (before a source task starts). */
  readToEnd(): Promise<void> {
    return this.log.readToEnd();
  }

  override async set(entries: OffsetEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.log.send(
      entries.map((e) => {
        const k = offsetKey(e.connector, e.partition);
        return { key: this.rawKeys.get(k) ?? Buffer.from(k, 'utf8'), value: e.offset === null ? null : Buffer.from(JSON.stringify(e.offset), 'utf8') };
      }),
    );
    this.apply(entries);
  }

  private read(r: ConsumedRecord): void {
    if (!r.key) return;
    const key = parseOffsetKey(Buffer.from(r.key));
    if (!key) throw new Error(`offsets record key ${decoder.decode(r.key)} is not ["<connector>",{<partition>}]`);
    const { connector, partition } = key;
    this.rawKeys.set(offsetKey(connector, partition), Buffer.from(r.key));
    const offset = r.value === null ? null : (JSON.parse(decoder.decode(r.value)) as OffsetMap | null);
    this.apply([{ connector, partition, offset }]);
  }
}

/**
 * The offsets of a source connector with its own `offsets.storage.topic` (KIP-618), as Java's
 * `ConnectorOffsetBackingStore`: reads from the connector's topic first, else from the worker's; writes go to the
 * connector's topic, then (best effort) to the worker's, so the worker's topic keeps a copy for tools that read only
 * it and for a connector that later drops its own topic.
 */
export class ConnectorOffsetStore implements OffsetStore {
  constructor(
    private readonly own: KafkaOffsetStore,
    private readonly worker: KafkaOffsetStore,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {}
  /** Stops the connector's own store (the worker's belongs to the worker). */
  stop(): Promise<void> {
    return this.own.stop();
  }

  readToEnd(): Promise<void> {
    return Promise.all([this.own.readToEnd(), this.worker.readToEnd()]).then(() => undefined);
  }

  get(connector: string, partition: OffsetMap): OffsetMap | null {
    return this.own.get(connector, partition) ?? this.worker.get(connector, partition);
  }

  connectorOffsets(connector: string): Array<{ partition: OffsetMap; offset: OffsetMap }> {
    const merged = new Map(this.worker.connectorOffsets(connector).map((o) => [offsetKey(connector, o.partition), o]));
    for (const o of this.own.connectorOffsets(connector)) merged.set(offsetKey(connector, o.partition), o);
    return [...merged.values()];
  }

  async set(entries: OffsetEntry[]): Promise<void> {
    await this.own.set(entries);
    await this.worker.set(entries).catch((e: Error) => this.logger.warn({ err: e }, "could not copy offsets to the worker's offsets topic"));
  }
}
