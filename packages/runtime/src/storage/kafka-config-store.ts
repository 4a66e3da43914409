/**
 * Connector configs, task configs and target states in Kafka's config topic (`config.storage.topic`), in the records
 * Java's `KafkaConfigBackingStore` writes, so a cluster of either runtime reads the other's:
 *
 * | key                          | value (JSON, no schema envelope)                          |
 * |------------------------------|-----------------------------------------------------------|
 * | `connector-<name>`           | `{"properties":{…}}`, null when the connector is deleted   |
 * | `task-<name>-<n>`            | `{"properties":{…}}`                                      |
 * | `commit-<name>`              | `{"tasks":N}`: the task configs written before it apply    |
 * | `target-state-<name>`        | `{"state":"PAUSED","state.v2":"STOPPED"}` (STOPPED → PAUSED for old readers) |
 * | `session-key`                | `{"key":<base64>,"algorithm":"HmacSHA256","creation-timestamp":ms}` |
 * | `restart-connector-<name>`   | `{"include-tasks":bool,"only-failed":bool}`               |
 * | `logger-cluster-<namespace>` | `{"level":"DEBUG"}` (KIP-976: every worker sets it)        |
 *
 * Task configs apply only when their `commit-` record arrives with all of them, as in Java. The topic must have
 * exactly one partition: the order of these records is the cluster's history of configs.
 */
import type { ConsumedRecord, KafkaAdmin, KafkaClient } from '../kafka/client';
import type { Logger } from '../logging';
import type { TargetState } from '../worker/task-executor';
import { KafkaBasedLog } from './kafka-based-log';

export interface ConnectorSnapshot {
  config: Record<string, string>;
  targetState: TargetState;
  taskConfigs: Array<Record<string, string>>;
}

export interface SessionKey {
  key: string;
  algorithm: string;
  creationTimestamp: number;
}

export type ConfigUpdate =
  | { kind: 'connector'; connector: string }
  | { kind: 'tasks'; connector: string }
  | { kind: 'target-state'; connector: string }
  | { kind: 'restart'; connector: string; includeTasks: boolean; onlyFailed: boolean }
  | { kind: 'session-key' }
  | { kind: 'logger'; namespace: string; level: string };

const decoder = new TextDecoder();
const json = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');

function properties(value: unknown, key: string): Record<string, string> {
  const p = (value as { properties?: unknown } | null)?.properties;
  if (!p || typeof p !== 'object') throw new Error(`config record ${key} has no "properties" map`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p as Record<string, unknown>)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

export class KafkaConfigStore {
  private readonly log: KafkaBasedLog;
  private readonly connectors = new Map<string, { config: Record<string, string>; taskConfigs: Array<Record<string, string>> }>();
  private readonly targetStates = new Map<string, TargetState>();
  private readonly deferredTasks = new Map<string, Map<number, Record<string, string>>>();
  private offsetRead = 0;
  private session: SessionKey | null = null;
  private listener: ((u: ConfigUpdate) => void) | undefined;

  constructor(
    client: KafkaClient,
    private readonly admin: KafkaAdmin,
    private readonly topic: string,
    replicationFactor: number,
    clientId: string,
    private readonly logger: Logger,
    producerSettings?: Record<string, string>,
  ) {
    this.log = new KafkaBasedLog(
      client,
      admin,
      { topic, clientId: `${clientId}-configs`, partitions: 1, replicationFactor, producerSettings, onRecord: (r) => this.read(r) },
      logger,
    );
  }

  /** Checks the topic's partitions (exactly one), reads it to its end. */
  async start(): Promise<void> {
    const partitions = await this.admin.partitionCount(this.topic);
    if (partitions > 1) {
      throw new Error(
        `Topic '${this.topic}' supplied via the 'config.storage.topic' property is required to have a single partition in order to guarantee consistency of connector configurations, but found ${partitions} partitions.`,
      );
    }
    await this.log.start();
  }

  stop(): Promise<void> {
    return this.log.stop();
  }

  onUpdate(listener: (u: ConfigUpdate) => void): void {
    this.listener = listener;
  }

  readToEnd(): Promise<void> {
    return this.log.readToEnd();
  }

  /** The offset after the last config record read: how far this worker's view of the configs goes. */
  get offset(): number {
    return this.offsetRead;
  }

  get sessionKey(): SessionKey | null {
    return this.session;
  }

  connectorNames(): string[] {
    return [...this.connectors.keys()].sort();
  }

  connector(name: string): ConnectorSnapshot | undefined {
    const c = this.connectors.get(name);
    if (!c) return undefined;
    return { config: c.config, taskConfigs: c.taskConfigs, targetState: this.targetStates.get(name) ?? 'STARTED' };
  }

  // ---- writes (each resolves once Kafka acknowledged it and this worker has read it back) -------------------

  async putConnectorConfig(name: string, config: Record<string, string>, targetState?: TargetState): Promise<void> {
    const records = [];
    if (targetState) records.push({ key: `target-state-${name}`, value: json(targetStateValue(targetState)) });
    records.push({ key: `connector-${name}`, value: json({ properties: config }) });
    await this.log.send(records);
    await this.log.readToEnd();
  }

  async removeConnectorConfig(name: string): Promise<void> {
    await this.log.send([
      { key: `connector-${name}`, value: null },
      { key: `target-state-${name}`, value: null },
    ]);
    await this.log.readToEnd();
  }

  async putTaskConfigs(name: string, configs: Array<Record<string, string>>): Promise<void> {
    await this.log.send([
      ...configs.map((properties, n) => ({ key: `task-${name}-${n}`, value: json({ properties }) })),
      { key: `commit-${name}`, value: json({ tasks: configs.length }) },
    ]);
    await this.log.readToEnd();
  }

  async putTargetState(name: string, state: TargetState): Promise<void> {
    await this.log.send([{ key: `target-state-${name}`, value: json(targetStateValue(state)) }]);
    await this.log.readToEnd();
  }

  async putRestartRequest(name: string, includeTasks: boolean, onlyFailed: boolean): Promise<void> {
    await this.log.send([{ key: `restart-connector-${name}`, value: json({ 'include-tasks': includeTasks, 'only-failed': onlyFailed }) }]);
  }

  async putLoggerLevel(namespace: string, level: string): Promise<void> {
    await this.log.send([{ key: `logger-cluster-${namespace}`, value: json({ level }) }]);
  }

  async putSessionKey(k: SessionKey): Promise<void> {
    await this.log.send([{ key: 'session-key', value: json({ key: k.key, algorithm: k.algorithm, 'creation-timestamp': k.creationTimestamp }) }]);
    await this.log.readToEnd();
  }

  // ---- reading the topic ---------------------------------------------------------------------------------------

  private read(r: ConsumedRecord): void {
    this.offsetRead = r.offset + 1;
    const key = r.key ? decoder.decode(r.key) : '';
    const value: unknown = r.value === null ? null : JSON.parse(decoder.decode(r.value));
    const update = this.apply(key, value);
    if (update) this.listener?.(update);
  }

  private apply(key: string, value: unknown): ConfigUpdate | null {
    if (key.startsWith('connector-')) {
      const connector = key.slice('connector-'.length);
      if (value === null) {
        this.connectors.delete(connector);
        this.targetStates.delete(connector);
        this.deferredTasks.delete(connector);
      } else {
        const existing = this.connectors.get(connector);
        this.connectors.set(connector, { config: properties(value, key), taskConfigs: existing?.taskConfigs ?? [] });
      }
      return { kind: 'connector', connector };
    }
    if (key.startsWith('task-')) {
      if (value === null) return null;
      const m = /^task-(.*)-(\d+)$/s.exec(key);
      if (!m) throw new Error(`config record key ${key} does not name a task`);
      const connector = m[1]!;
      let d = this.deferredTasks.get(connector);
      if (!d) this.deferredTasks.set(connector, (d = new Map()));
      d.set(Number(m[2]), properties(value, key));
      return null;
    }
    if (key.startsWith('commit-')) {
      if (value === null) return null;
      const connector = key.slice('commit-'.length);
      const tasks = (value as { tasks?: unknown }).tasks;
      if (typeof tasks !== 'number') throw new Error(`config record ${key} has no "tasks" count`);
      const d = this.deferredTasks.get(connector) ?? new Map();
      const c = this.connectors.get(connector);
      const configs: Array<Record<string, string>> = [];
      for (let n = 0; n < tasks; n++) {
        const cfg = d.get(n);
        if (!cfg) {
          // Java leaves such a connector "inconsistent" until a complete set is committed.
          this.logger.warn({ connector }, `commit of ${tasks} task configs for ${connector} without task ${n}: ignored until a complete set is committed`);
          return null;
        }
        configs.push(cfg);
      }
      this.deferredTasks.delete(connector);
      if (c) c.taskConfigs = configs;
      return { kind: 'tasks', connector };
    }
    if (key.startsWith('target-state-')) {
      const connector = key.slice('target-state-'.length);
      if (value === null) this.targetStates.delete(connector);
      else {
        const v = value as { state?: string; 'state.v2'?: string };
        const state = v['state.v2'] ?? v.state;
        if (state !== 'STARTED' && state !== 'PAUSED' && state !== 'STOPPED') throw new Error(`config record ${key} has an unknown state ${state}`);
        this.targetStates.set(connector, state);
      }
      return { kind: 'target-state', connector };
    }
    if (key.startsWith('restart-connector-')) {
      if (value === null) return null;
      const v = value as { 'include-tasks'?: boolean; 'only-failed'?: boolean };
      return { kind: 'restart', connector: key.slice('restart-connector-'.length), includeTasks: !!v['include-tasks'], onlyFailed: !!v['only-failed'] };
    }
    if (key === 'session-key') {
      if (value === null) return null;
      const v = value as { key: string; algorithm: string; 'creation-timestamp': number };
      this.session = { key: v.key, algorithm: v.algorithm, creationTimestamp: Number(v['creation-timestamp']) };
      return { kind: 'session-key' };
    }
    if (key.startsWith('logger-cluster-')) {
      const level = (value as { level?: unknown } | null)?.level;
      return typeof level === 'string' ? { kind: 'logger', namespace: key.slice('logger-cluster-'.length), level } : null;
    }
    // tasks-fencing-* and keys of newer versions: not ours to act on.
    return null;
  }
}

function targetStateValue(state: TargetState): Record<string, string> {
  return { state: state === 'STOPPED' ? 'PAUSED' : state, 'state.v2': state };
}
