/**
 * A compacted Kafka topic read from its start into memory and followed from then on, with writes that resolve once
 * Kafka acknowledged them: the one log abstraction under the distributed worker's config, offset and status stores
 * (Java's `KafkaBasedLog`). Records are handed to `onRecord` in offset order per partition, from one loop, so a
 * store's in-memory state needs no locking.
 */
import type { ConsumedRecord, KafkaAdmin, KafkaClient, KafkaLogReader, KafkaProducer, ProducedRecordMetadata } from '../kafka/client';
import type { Logger } from '../logging';

export interface KafkaBasedLogOptions {
  topic: string;
  clientId: string;
  /** Created when missing: compacted, with these partitions and replication factor (-1: the broker's default). */
  partitions: number;
  replicationFactor: number;
  /** Worker `producer.*` settings (prefix removed). */
  producerSettings?: Record<string, string>;
  onRecord(record: ConsumedRecord): void;
}

/** How long a read to the end or a write may take (Java's KafkaConfigBackingStore: 30 s). */
const READ_WRITE_TIMEOUT_MS = 30_000;

interface Waiter {
  ends: Map<number, number>;
  resolve(): void;
}

export class KafkaBasedLog {
  private reader: KafkaLogReader | undefined;
  private producer: KafkaProducer | undefined;
  private loop: Promise<void> | undefined;
  private running = false;
  private waiters: Waiter[] = [];

  constructor(
    private readonly client: KafkaClient,
    private readonly admin: KafkaAdmin,
    private readonly o: KafkaBasedLogOptions,
    private readonly log: Logger,
  ) {}

  get topic(): string {
    return this.o.topic;
  }

  /** Creates the topic if needed, then reads it to its end. */
  async start(): Promise<void> {
    await this.admin.createTopics([
      { topic: this.o.topic, numPartitions: this.o.partitions, replicationFactor: this.o.replicationFactor, configs: { 'cleanup.policy': 'compact' } },
    ]);
    this.reader = await this.client.logReader({ clientId: this.o.clientId, topic: this.o.topic });
    this.producer = await this.client.producer({
      clientId: `${this.o.clientId}-producer`,
      // As Java's stores: every write is acknowledged by all in-sync replicas, in order, or fails in bounded time.
      settings: {
        ...this.o.producerSettings,
        acks: 'all',
        'max.in.flight.requests.per.connection': '1',
        'delivery.timeout.ms': String(READ_WRITE_TIMEOUT_MS),
        'request.timeout.ms': String(Math.min(READ_WRITE_TIMEOUT_MS / 2, 30_000)),
      },
    });
    this.running = true;
    this.loop = this.poll();
    await this.readToEnd();
  }

  /**
   * Resolves once every record written before the call has been handed to `onRecord`; rejects after `timeoutMs`
   * (Kafka unreachable) rather than leave the caller waiting for ever.
   */
  async readToEnd(timeoutMs = READ_WRITE_TIMEOUT_MS): Promise<void> {
    const ends = await this.reader!.endOffsets();
    if (this.reached(ends)) return;
    let timer: NodeJS.Timeout | undefined;
    const waiter: Waiter = { ends, resolve: () => undefined };
    try {
      await new Promise<void>((resolve, reject) => {
        waiter.resolve = resolve;
        this.waiters.push(waiter);
        timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms reading ${this.o.topic} to its end`)), timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      this.waiters = this.waiters.filter((w) => w !== waiter);
    }
  }

  private reached(ends: Map<number, number>): boolean {
    const pos = this.reader!.positions();
    for (const [p, end] of ends) if ((pos.get(p) ?? 0) < end) return false;
    return true;
  }

  private async poll(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const records = await this.reader!.poll(this.waiters.length ? 100 : 500);
        failures = 0;
        for (const r of records) {
          try {
            this.o.onRecord(r);
          } catch (e) {
            // A record the store cannot read (e.g. written by something else) is skipped, never fatal.
            this.log.error({ err: e, topic: r.topic, partition: r.partition, offset: r.offset }, `skipping an unreadable record of ${this.o.topic}`);
          }
        }
        if (this.waiters.length) {
          const still: Waiter[] = [];
          for (const w of this.waiters) this.reached(w.ends) ? w.resolve() : still.push(w);
          this.waiters = still;
        }
      } catch (e) {
        if (!this.running) return;
        failures++;
        if (failures === 1 || failures % 50 === 0) this.log.warn({ err: e }, `reading ${this.o.topic} failed; retrying`);
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** Math.min(failures, 5), 3_000)));
      }
    }
  }

  /** Writes records (null value: a tombstone) and resolves once Kafka acknowledged all of them. */
  send(records: Array<{ key: string | Buffer; value: Buffer | null; partition?: number }>): Promise<ProducedRecordMetadata[]> {
    return this.producer!.send(
      records.map((r) => ({
        topic: this.o.topic,
        partition: r.partition ?? null,
        key: typeof r.key === 'string' ? Buffer.from(r.key, 'utf8') : r.key,
        value: r.value,
      })),
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    await this.producer?.close().catch(() => undefined);
    await this.reader?.close().catch(() => undefined);
  }
}
