/**
 * Connector and task statuses in Kafka's status topic (`status.storage.topic`), in Java's `KafkaStatusBackingStore`
 * records: key `status-connector-<name>` / `status-task-<name>-<n>`, value
 * `{"state":…,"trace":…,"worker_id":…,"generation":…}` (kconnect adds an optional `failure` object to FAILED ones:
 * Java's parseStatus reads the four keys it knows from the JSON map and ignores the rest); `status-topic-<topic>:connector-<name>` for topic tracking;
 * null values when a connector is deleted. Every worker reads all statuses, so any worker answers `/status`.
 *
 * A status is written only when no newer generation holds it (Java's "safe write"): a worker that lost a task in a
 * rebalance cannot overwrite what the task's new owner reported.
 *
 * kconnect also keeps `kconnect-cluster` → `{"group.id":…}`: the group that owns the three topics, so that a second
 * cluster started on them with another `group.id` is refused instead of running every connector twice. (Java logs
 * one warning for this key, "Discarding record with invalid key", and ignores it.)
 */
import type { ConsumedRecord, KafkaAdmin, KafkaClient } from '../kafka/client';
import type { Logger } from '../logging';
import { type FailureInfo, parseFailure } from '../worker/failure';
import { KafkaBasedLog } from './kafka-based-log';

export interface StoredStatus {
  state: string;
  trace: string | null;
  worker_id: string;
  generation: number;
  /** kconnect: stage, class, message and time of a FAILED status (absent in records a Java worker wrote). */
  failure?: FailureInfo;
}

const decoder = new TextDecoder();
const CONNECTOR = 'status-connector-';
const TASK = 'status-task-';
const TOPIC = 'status-topic-';
const CLUSTER = 'kconnect-cluster';
/** Between attempts to write a status that failed (each attempt may itself take the log's write timeout). */
const STATUS_RETRY_BACKOFF_MS = 1000;

export class KafkaStatusStore {
  private readonly log: KafkaBasedLog;
  private readonly connectors = new Map<string, StoredStatus>();
  private readonly tasks = new Map<string, Map<number, StoredStatus>>();
  private readonly topics = new Map<string, Set<string>>();
  private owner: { groupId: string; offset: number } | null = null;
  private ownClaimOffset: number | null = null;
  private stopped = false;
  /** Called when a claim of another group is read after this worker's own: the last claim owns the topics. */
  onForeignClaim: ((groupId: string) => void) | undefined;

  constructor(
    client: KafkaClient,
    admin: KafkaAdmin,
    topic: string,
    partitions: number,
    replicationFactor: number,
    clientId: string,
    private readonly logger: Logger,
    producerSettings?: Record<string, string>,
  ) {
    this.log = new KafkaBasedLog(
      client,
      admin,
      { topic, clientId: `${clientId}-statuses`, partitions, replicationFactor, producerSettings, onRecord: (r) => this.read(r) },
      logger,
    );
  }

  start(): Promise<void> {
    return this.log.start();
  }
  stop(): Promise<void> {
    this.stopped = true;
    return this.log.stop();
  }
  readToEnd(): Promise<void> {
    return this.log.readToEnd();
  }

  /** The `group.id` that last claimed the topics, or null. */
  get clusterOwner(): string | null {
    return this.owner?.groupId ?? null;
  }

  /**
   * Claims the topics for `groupId`. Of clusters that claim them at about the same time the last claim in the topic
   * wins (one key: one partition, one order): a claim of another group read after ours is reported.
   */
  async claim(groupId: string): Promise<void> {
    const [md] = await this.log.send([{ key: CLUSTER, value: Buffer.from(JSON.stringify({ 'group.id': groupId }), 'utf8') }]);
    this.ownClaimOffset = md!.offset;
    if (this.owner && this.owner.offset > md!.offset && this.owner.groupId !== groupId) this.onForeignClaim?.(this.owner.groupId);
  }

  connector(name: string): StoredStatus | undefined {
    return this.connectors.get(name);
  }
  task(connector: string, task: number): StoredStatus | undefined {
    return this.tasks.get(connector)?.get(task);
  }
  connectorTopics(connector: string): string[] {
    return [...(this.topics.get(connector) ?? [])].sort();
  }

  /**
   * Writes a status. As Java: RUNNING, PAUSED, STOPPED and RESTARTING always (the worker that runs the item now says
   * so), UNASSIGNED and FAILED only when no newer generation of another worker holds it ("safe write": a worker that
   * lost the item cannot overwrite what its new owner reported).
   */
  async putConnector(name: string, s: StoredStatus): Promise<void> {
    if (!canWrite(this.connectors.get(name), s)) return;
    this.connectors.set(name, s);
    await this.write(`${CONNECTOR}${name}`, s, () => this.connectors.get(name) === s);
  }

  async putTask(connector: string, task: number, s: StoredStatus): Promise<void> {
    let m = this.tasks.get(connector);
    if (!canWrite(m?.get(task), s)) return;
    if (!m) this.tasks.set(connector, (m = new Map()));
    m.set(task, s);
    await this.write(`${TASK}${connector}-${task}`, s, () => this.tasks.get(connector)?.get(task) === s);
  }

  /**
   * Writes a status, and again after a failure (Kafka unreachable for longer than a write may take) for as long as
   * it is the newest status of its item, as Java's status store re-sends after retriable errors: a status written
   * while Kafka was away reaches the topic once it is back, and one superseded meanwhile is dropped.
   */
  private async write(key: string, s: StoredStatus, current: () => boolean): Promise<void> {
    for (let failures = 0; ; failures++) {
      try {
        await this.log.send([{ key, value: value(s) }]);
        if (failures) this.logger.info(`wrote the status ${key} (${s.state}) after ${failures} failed attempts`);
        return;
      } catch (e) {
        if (this.stopped || !current()) return;
        if (failures === 0) this.logger.warn({ err: e }, `could not write the status ${key} (${s.state}); retrying until it is written or superseded`);
        await new Promise((r) => setTimeout(r, STATUS_RETRY_BACKOFF_MS));
        if (this.stopped || !current()) return;
      }
    }
  }

  async putTopic(connector: string, task: number, topic: string): Promise<void> {
    let s = this.topics.get(connector);
    if (s?.has(topic)) return;
    if (!s) this.topics.set(connector, (s = new Set()));
    s.add(topic);
    const v = { topic: { name: topic, connector, task, discoverTimestamp: Date.now() } };
    await this.log.send([{ key: `${TOPIC}${topic}:connector-${connector}`, value: Buffer.from(JSON.stringify(v), 'utf8') }]);
  }

  async resetTopics(connector: string): Promise<void> {
    const topics = this.connectorTopics(connector);
    this.topics.delete(connector);
    if (topics.length) await this.log.send(topics.map((t) => ({ key: `${TOPIC}${t}:connector-${connector}`, value: null })));
  }

  /** Tombstones for a deleted connector's statuses and topics. */
  async deleteConnector(name: string, taskCount: number): Promise<void> {
    const tasks = new Set([...(this.tasks.get(name)?.keys() ?? []), ...Array.from({ length: taskCount }, (_, i) => i)]);
    this.connectors.delete(name);
    this.tasks.delete(name);
    await this.log.send([{ key: `${CONNECTOR}${name}`, value: null }, ...[...tasks].map((t) => ({ key: `${TASK}${name}-${t}`, value: null }))]);
    await this.resetTopics(name);
  }

  private read(r: ConsumedRecord): void {
    const key = r.key ? decoder.decode(r.key) : '';
    const v = r.value === null ? null : (JSON.parse(decoder.decode(r.value)) as Record<string, unknown>);
    if (key === CLUSTER) {
      const g = v?.['group.id'];
      if (typeof g === 'string') {
        this.owner = { groupId: g, offset: r.offset };
        if (this.ownClaimOffset !== null && r.offset > this.ownClaimOffset) this.onForeignClaim?.(g);
      }
    } else if (key.startsWith(CONNECTOR)) {
      const name = key.slice(CONNECTOR.length);
      if (v === null) this.connectors.delete(name);
      else this.connectors.set(name, parse(v, key));
    } else if (key.startsWith(TASK)) {
      const m = /^status-task-(.*)-(\d+)$/s.exec(key);
      if (!m) throw new Error(`status record key ${key} does not name a task`);
      const [connector, task] = [m[1]!, Number(m[2])];
      let tasks = this.tasks.get(connector);
      if (v === null) tasks?.delete(task);
      else {
        if (!tasks) this.tasks.set(connector, (tasks = new Map()));
        tasks.set(task, parse(v, key));
      }
    } else if (key.startsWith(TOPIC)) {
      const i = key.lastIndexOf(':connector-');
      if (i < 0) return;
      const topic = key.slice(TOPIC.length, i);
      const connector = key.slice(i + ':connector-'.length);
      let s = this.topics.get(connector);
      if (v === null) s?.delete(topic);
      else {
        if (!s) this.topics.set(connector, (s = new Set()));
        s.add(topic);
      }
    }
  }
}

/** Java's put / putSafe split (see putConnector). */
function canWrite(current: StoredStatus | undefined, next: StoredStatus): boolean {
  if (next.state !== 'UNASSIGNED' && next.state !== 'FAILED') return true;
  return !current || current.worker_id === next.worker_id || current.generation <= next.generation;
}

/** A status record's value (exported for tests). */
export function value(s: StoredStatus): Buffer {
  const v = { state: s.state, trace: s.trace, worker_id: s.worker_id, generation: s.generation, ...(s.failure ? { failure: s.failure } : {}) };
  return Buffer.from(JSON.stringify(v), 'utf8');
}

/** A status record's parsed JSON value, whoever wrote it (exported for tests). */
export function parse(v: Record<string, unknown>, key: string): StoredStatus {
  if (typeof v.state !== 'string' || typeof v.worker_id !== 'string') throw new Error(`status record ${key} has no state or worker_id`);
  const failure = parseFailure(v.failure);
  return {
    state: v.state,
    trace: typeof v.trace === 'string' ? v.trace : null,
    worker_id: v.worker_id,
    generation: Number(v.generation ?? 0),
    ...(failure ? { failure } : {}),
  };
}
