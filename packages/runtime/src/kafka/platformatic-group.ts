/**
 * The distributed worker's Kafka calls on @platformatic/kafka: a reader of a whole topic outside any group (the
 * consumer of Java's `KafkaBasedLog`) and a group member that speaks Kafka's group coordinator protocol directly
 * (JoinGroup v9, SyncGroup v5, Heartbeat v4, LeaveGroup v5), since the library's Consumer can only join as a
 * `consumer` group. The Connect protocol carried over it lives in `distributed/connect-protocol.ts`.
 */
import {
  type Broker,
  type ConnectionOptions,
  ConnectionPool,
  Consumer,
  type Connection,
  findCoordinatorV4,
  findErrorBy,
  heartbeatV4,
  joinGroupV9,
  leaveGroupV5,
  syncGroupV5,
} from '@platformatic/kafka';
import type { Logger } from 'pino';
import { type ConsumedRecord, type GroupJoinResult, type GroupMemberOptions, GroupRejoinNeeded, type KafkaGroupMember, type KafkaLogReader } from './client';
import { decodeBatches, endOfBatches, isRetriable, sleep } from './platformatic-records';

const COORDINATOR_MOVED = ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS'];
const REJOIN = ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID'];

const has = (e: unknown, ids: string[]) => ids.find((id) => findErrorBy(e as Error, 'apiId', id)) ?? null;

function parseBrokers(brokers: string[]): Broker[] {
  return brokers.map((b) => {
    const i = b.lastIndexOf(':');
    return { host: b.slice(0, i), port: Number(b.slice(i + 1)) };
  });
}

export class PlatformaticLogReader implements KafkaLogReader {
  private readonly consumer: Consumer;
  /**
   * ListOffsets on connections of their own: a broker answers a connection's requests in order, so on the fetching
   * connection a read to the end would wait behind the long poll in progress (up to its 500 ms: every distributed
   * write took ~500 ms).
   */
  private readonly offsetsClient: Consumer;
  private readonly pos = new Map<number, number>();
  private partitions = 0;

  constructor(
    brokers: string[],
    clientId: string,
    private readonly topic: string,
    /** TLS and SASL options (the worker's security settings). */
    connection: Pick<ConnectionOptions, 'tls' | 'sasl'> = {},
  ) {
    // Never joins its group: only metadata, ListOffsets and Fetch are used.
    const options = { ...connection, groupId: `${clientId}-log-reader`, bootstrapBrokers: brokers, retries: 5, retryDelay: 200 };
    this.consumer = new Consumer({ ...options, clientId });
    this.offsetsClient = new Consumer({ ...options, clientId: `${clientId}-offsets` });
  }

  /** Starts every partition at its earliest offset. */
  async init(): Promise<this> {
    const md = await this.consumer.metadata({ topics: [this.topic], forceUpdate: true });
    this.partitions = md.topics.get(this.topic)?.partitionsCount ?? 0;
    if (this.partitions === 0) throw new Error(`Topic ${this.topic} does not exist`);
    const earliest = await this.offsets(-2n);
    for (const [p, o] of earliest) this.pos.set(p, o);
    return this;
  }

  private async offsets(timestamp: -1n | -2n): Promise<Map<number, number>> {
    const all = Array.from({ length: this.partitions }, (_, i) => i);
    const listed = await this.offsetsClient.listOffsets({ topics: [this.topic], partitions: { [this.topic]: all }, timestamp });
    return new Map(all.map((p) => [p, Number(listed.get(this.topic)?.[p] ?? 0n)]));
  }

  endOffsets(): Promise<Map<number, number>> {
    return this.offsets(-1n);
  }

  positions(): ReadonlyMap<number, number> {
    return this.pos;
  }

  async poll(maxWaitMs: number): Promise<ConsumedRecord[]> {
    const md = await this.consumer.metadata({ topics: [this.topic] });
    const topicMd = md.topics.get(this.topic);
    if (!topicMd) throw new Error(`Topic ${this.topic} does not exist`);
    const byNode = new Map<number, number[]>();
    for (const [p, info] of topicMd.partitions.entries()) {
      if (info.leader < 0) continue;
      const l = byNode.get(info.leader);
      if (l) l.push(p);
      else byNode.set(info.leader, [p]);
    }
    const out: ConsumedRecord[] = [];
    // Each broker's answer is applied on its own: a failure on one must not lose what another returned.
    const results = await Promise.allSettled(
      [...byNode].map(async ([node, ps]) => {
        try {
          const res = await this.consumer.fetch({
            node,
            maxWaitTime: maxWaitMs,
            topics: [
              {
                topicId: topicMd.id,
                partitions: ps.map((partition) => ({
                  partition,
                  fetchOffset: BigInt(this.pos.get(partition) ?? 0),
                  partitionMaxBytes: 1048576,
                  currentLeaderEpoch: -1,
                  lastFetchedEpoch: -1,
                })),
              },
            ],
          });
          for (const t of res.responses) {
            for (const p of t.partitions) {
              if (!p.records?.length) continue;
              const from = this.pos.get(p.partitionIndex) ?? 0;
              out.push(...decodeBatches(this.topic, p.partitionIndex, p.records, from));
              this.pos.set(p.partitionIndex, endOfBatches(p.records, from));
            }
          }
        } catch (e) {
          // Compaction or retention removed the position's records: go on from the earliest one left.
          if (!findErrorBy(e as Error, 'apiId', 'OFFSET_OUT_OF_RANGE')) throw e;
          const [earliest, ends] = await Promise.all([this.offsets(-2n), this.offsets(-1n)]);
          for (const p of ps) {
            const pos = this.pos.get(p) ?? 0;
            // Before the log start (compacted or deleted records): from the earliest. Past its end (truncated): too.
            this.pos.set(p, pos < (earliest.get(p) ?? 0) ? (earliest.get(p) ?? 0) : pos > (ends.get(p) ?? pos) ? (earliest.get(p) ?? 0) : pos);
          }
        }
      }),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length === results.length && failed.length > 0) throw (failed[0] as PromiseRejectedResult).reason;
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([this.consumer, this.offsetsClient].map((c) => c.close().catch(() => c.close(true))));
  }
}

export class PlatformaticGroupMember implements KafkaGroupMember {
  private readonly pool: ConnectionPool;
  private readonly brokers: Broker[];
  private coordinator: Broker | null = null;
  private memberId = '';
  private closed = false;
  private failingSince: number | null = null;

  constructor(
    brokers: string[],
    private readonly o: GroupMemberOptions,
    private readonly log: Logger,
    /** TLS and SASL options (the worker's security settings). */
    connection: Pick<ConnectionOptions, 'tls' | 'sasl'> = {},
  ) {
    this.brokers = parseBrokers(brokers);
    // A JoinGroup is answered only when the rebalance completes: up to the rebalance timeout.
    this.pool = new ConnectionPool(o.clientId, { ...connection, requestTimeout: o.rebalanceTimeoutMs + 5_000, connectTimeout: 5_000 });
  }

  private async connection(): Promise<Connection> {
    if (!this.coordinator) {
      const conn = await this.pool.getFirstAvailable(this.brokers);
      const res = await findCoordinatorV4.api.async(conn, 0, [this.o.groupId]);
      const c = res.coordinators[0];
      if (c?.errorCode !== 0) throw new GroupRejoinNeeded(`no coordinator for group ${this.o.groupId} yet`);
      this.coordinator = { host: c.host, port: c.port };
    }
    return this.pool.get(this.coordinator);
  }

  /** Runs one coordinator call, following coordinator moves and riding out network trouble (with backoff). */
  private async call<T>(what: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new Error(`group member of ${this.o.groupId} is closed`);
      try {
        const res = await fn(await this.connection());
        this.failingSince = null;
        return res;
      } catch (e) {
        const moved = has(e, COORDINATOR_MOVED);
        if (!moved && !isRetriable(e) && !(e instanceof GroupRejoinNeeded && e.reason.startsWith('no coordinator'))) {
          // The coordinator answered (with an error for the caller): it is reachable.
          if (has(e, ['UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'MEMBER_ID_REQUIRED'])) this.failingSince = null;
          throw e;
        }
        this.failingSince ??= Date.now();
        this.coordinator = null;
        if (attempt === 1 || attempt % 20 === 0) this.log.warn({ err: e }, `${what} to the group coordinator of ${this.o.groupId} failed; retrying`);
        await sleep(Math.min(100 * 2 ** Math.min(attempt, 6), 3_000));
      }
    }
  }

  private rejoinError(e: unknown): never {
    const r = has(e, REJOIN);
    if (r) {
      if (r === 'UNKNOWN_MEMBER_ID' || r === 'FENCED_INSTANCE_ID') this.memberId = '';
      throw new GroupRejoinNeeded(r, r === 'UNKNOWN_MEMBER_ID');
    }
    if (has(e, ['INCONSISTENT_GROUP_PROTOCOL'])) {
      throw new Error(
        `The group ${this.o.groupId} already has members that speak another protocol (e.g. Java Connect workers, or consumers): a kconnect worker cannot join it. Give this cluster its own group.id.`,
      );
    }
    throw e;
  }

  async join(protocols: Array<{ name: string; metadata: Uint8Array }>): Promise<GroupJoinResult> {
    const ps = protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata.buffer, p.metadata.byteOffset, p.metadata.byteLength) }));
    for (;;) {
      try {
        const res = await this.call('JoinGroup', (conn) =>
          joinGroupV9.api.async(conn, this.o.groupId, this.o.sessionTimeoutMs, this.o.rebalanceTimeoutMs, this.memberId, null, this.o.protocolType, ps, null),
        );
        this.memberId = res.memberId;
        return {
          generationId: res.generationId,
          memberId: res.memberId,
          leaderId: res.leader,
          protocolName: res.protocolName ?? '',
          members: res.members.map((m) => ({ memberId: m.memberId, metadata: m.metadata })),
        };
      } catch (e) {
        // A new member first learns its id, then joins with it (KIP-394).
        if (has(e, ['MEMBER_ID_REQUIRED'])) {
          this.memberId = (e as { response?: { memberId?: string } }).response?.memberId ?? '';
          continue;
        }
        if (has(e, ['UNKNOWN_MEMBER_ID'])) {
          this.memberId = '';
          continue;
        }
        if (has(e, ['REBALANCE_IN_PROGRESS'])) continue;
        this.rejoinError(e);
      }
    }
  }

  async sync(join: GroupJoinResult, assignments: Array<{ memberId: string; assignment: Uint8Array }>): Promise<Uint8Array> {
    const as = assignments.map((a) => ({
      memberId: a.memberId,
      assignment: Buffer.from(a.assignment.buffer, a.assignment.byteOffset, a.assignment.byteLength),
    }));
    try {
      const res = await this.call('SyncGroup', (conn) =>
        syncGroupV5.api.async(conn, this.o.groupId, join.generationId, this.memberId, null, this.o.protocolType, join.protocolName, as),
      );
      return res.assignment;
    } catch (e) {
      this.rejoinError(e);
    }
  }

  async heartbeat(generationId: number): Promise<void> {
    try {
      const conn = await this.connection();
      await heartbeatV4.api.async(conn, this.o.groupId, generationId, this.memberId, null);
      this.failingSince = null;
    } catch (e) {
      if (has(e, REJOIN)) this.failingSince = null;
      else {
        // Not answered (the broker is down, the coordinator moved): look the coordinator up again next time.
        this.failingSince ??= Date.now();
        this.coordinator = null;
      }
      this.rejoinError(e);
    }
  }

  unreachableSince(): number | null {
    return this.failingSince;
  }

  async leave(reason: string): Promise<void> {
    if (!this.memberId) return;
    const memberId = this.memberId;
    this.memberId = '';
    try {
      const conn = await this.connection();
      await leaveGroupV5.api.async(conn, this.o.groupId, [{ memberId, groupInstanceId: null, reason }]);
    } catch (e) {
      this.log.debug({ err: e }, 'LeaveGroup failed (the session timeout will remove the member)');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool.close().catch(() => undefined);
  }
}
