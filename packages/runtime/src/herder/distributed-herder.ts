/**
 * The distributed herder: one of the workers of a Connect cluster. Configs, target states and restart requests go
 * through the config topic; statuses through the status topic; source offsets through the offsets topic — so every
 * worker answers every REST request from its own copy of the topics. Which worker runs which connector and task is
 * decided by the group's leader ({@link WorkerCoordinator}); this herder starts what it is assigned, stops what is
 * revoked, and reacts to config records for the work it holds (Java's `DistributedHerder`).
 *
 * Differences from Java: writes go to the config topic from the worker that receives them (Kafka orders them in
 * the topic's one partition), and the worker that runs a connector writes its task configs itself; Java forwards
 * both to the leader. Records are byte-compatible either way.
 */
import { type ConfigKeyInfo, ConfigError } from '@kconnect/api';
import type { DistributedConfig } from '../config/distributed-config';
import { allocationItems, itemKey, toAllocation, type WorkerAssignment, type WorkItem } from '../distributed/connect-protocol';
import { newSessionKey, signatureHeaders, verifySignature } from '../distributed/request-signature';
import { WorkerCoordinator } from '../distributed/worker-coordinator';
import type { KafkaAdmin, KafkaGroupMember } from '../kafka/client';
import { LEVELS, type Logger, type LogLevel } from '../logging';
import { badRequest, conflict, forbidden, HttpError, notFound } from '../rest/errors';
import type { KafkaConfigStore, ConfigUpdate } from '../storage/kafka-config-store';
import { ConnectorOffsetStore, type KafkaOffsetStore } from '../storage/kafka-offset-store';
import type { KafkaStatusStore } from '../storage/kafka-status-store';
import type { ConnectorStatusListener, Worker } from '../worker/worker';
import { type ConnectorTaskId, type TargetState, type TaskStatusListener, taskIdString } from '../worker/task-executor';
import { type FailureInfo, failureFromTrace, failureOf, traceOf } from '../worker/failure';
import { HerderBase } from './herder-base';
import type { RestFetch } from '../rest/tls';
import { TaskAutoRestarts } from './auto-restart';
import {
  connectorType,
  connectorVersion,
  listPlugins,
  pluginConfig,
  resolvedForPlugin,
  UNKNOWN_CONNECTOR,
  UNKNOWN_CONNECTOR_RESTART,
  validate,
} from './common';
import { alterConnectorOffsets, readConnectorOffsets, resetConnectorOffsets, STOPPED_REQUIRED } from './connector-offsets';
import type { ConfigInfos, ConnectorInfo, ConnectorOffset, ConnectorStateInfo, Herder, PluginInfo, State, StatusEntry, TaskStateInfo } from './types';
import { invalidConfigMessage } from './validation';

export interface DistributedStores {
  config: KafkaConfigStore;
  offsets: KafkaOffsetStore;
  /** A store on another offsets topic (a connector's own `offsets.storage.topic`), not started. */
  offsetsOn(topic: string): KafkaOffsetStore;
  status: KafkaStatusStore;
}

export class DistributedHerder extends HerderBase implements Herder, ConnectorStatusListener, TaskStatusListener {
  private readonly coordinator: WorkerCoordinator;
  /** The work assigned to this worker (item keys), whether or not it could start. */
  private readonly owned = new Map<string, WorkItem>();
  /** Task configs each of our tasks was started with, to restart only the changed ones. */
  private readonly startedWith = new Map<string, string>();
  /** Connector → its task count as last seen, to rebalance when it changes. */
  private readonly taskCounts = new Map<string, number>();
  /** The target state each of our connectors was last started or set with. */
  private readonly connectorStates = new Map<string, TargetState>();
  private generation = -1;
  private stopped = false;
  private readonly keyTtlMs: number;
  private readonly groupId: string;
  private readonly dc: DistributedConfig;
  /** Offset stores of connectors with their own offsets topic, by topic. */
  private readonly ownOffsetStores = new Map<string, Promise<ConnectorOffsetStore>>();
  /** Another cluster claimed the topics: this worker runs nothing. */
  private refused = false;
  /** Bumped whenever all work is stopped at once (fencing): an assignment being applied stops where it is. */
  private epoch = 0;
  /** Called when the worker cannot go on (e.g. its group belongs to other workers): the worker shuts down. */
  onFatal: ((e: Error) => void) | undefined;
  /** Leader-only writes, one at a time (two creates of one name cannot both succeed). */
  private writes: Promise<unknown> = Promise.resolve();
  private keyTimer: NodeJS.Timeout | undefined;
  private readonly autoRestarts: TaskAutoRestarts;
  /** Requests to other workers (https with the listener's stores when the listener is https; rest/tls.ts). */
  restFetch: RestFetch = (url, init) => fetch(url, init);

  constructor(
    private readonly worker: Worker,
    private readonly admin: KafkaAdmin,
    private readonly stores: DistributedStores,
    member: KafkaGroupMember,
    dc: DistributedConfig,
    public url: string,
    private readonly log: Logger,
  ) {
    super();
    // A failed task this worker still runs (not moved meanwhile) is restarted here.
    this.autoRestarts = new TaskAutoRestarts(worker.config.restartMaxRetries, worker.config.restartBackoffMs, log, (id) =>
      this.serial(async () => {
        const s = this.stores.status.task(id.connector, id.task);
        if (!this.stopped && this.owns(id.connector, id.task) && s?.state === 'FAILED' && s.worker_id === this.worker.workerId) await this.restartTaskHere(id);
      }),
    );
    this.keyTtlMs = dc.keyTtlMs;
    this.groupId = dc.groupId;
    this.dc = dc;
    this.coordinator = new WorkerCoordinator(
      member,
      {
        url: () => this.url,
        heartbeatIntervalMs: dc.heartbeatIntervalMs,
        sessionTimeoutMs: dc.sessionTimeoutMs,
        scheduledRebalanceMaxDelayMs: dc.scheduledRebalanceMaxDelayMs,
      },
      {
        configOffset: () => stores.config.offset,
        readConfigToEnd: () => stores.config.readToEnd(),
        configured: () => this.configuredWork(),
        allocation: () => toAllocation(this.owned.values()),
        onAssignment: (a, generation) => this.serial(() => this.onAssignment(a, generation)),
        // Not queued: whatever the queue is doing (a slow start, a write that waits for Kafka), the work stops now.
        onMembershipLost: () => this.stopAllWork(),
      },
      log,
      (e) => {
        this.log.error({ err: e }, 'the worker cannot stay in its group; stopping');
        void this.stopAllWork().finally(() => this.onFatal?.(e));
      },
    );
  }

  async start(): Promise<void> {
    this.clusterId = await this.admin.clusterId();
    await this.stores.config.start();
    await this.stores.offsets.start();
    this.worker.offsetStoreFor = (config) => this.offsetStoreOf(config);
    await this.stores.status.start();
    await this.claimTopics();
    for (const name of this.stores.config.connectorNames()) this.taskCounts.set(name, this.stores.config.connector(name)!.taskConfigs.length);
    this.stores.config.onUpdate((u) => this.onConfigUpdate(u));
    this.coordinator.start();
    // The leader checks the session key's age now and then (it rotates it when it expires).
    this.keyTimer = setInterval(
      () => {
        if (this.coordinator.isLeader)
          void this.serial(() => this.ensureSessionKey()).catch((e: Error) => this.log.warn({ err: e }, 'could not rotate the session key'));
      },
      Math.min(this.keyTtlMs, 60_000),
    );
    this.keyTimer.unref();
    this.markStarted();
  }

  /**
   * The three topics belong to one cluster. Another group that claimed them and still has members means two
   * clusters would each run every connector: refuse (nothing is started, nothing lost). A group without members
   * (e.g. `group.id` renamed) hands them over.
   */
  private async claimTopics(): Promise<void> {
    const owner = this.stores.status.clusterOwner;
    if (owner && owner !== this.groupId) {
      if (await this.admin.groupHasMembers(owner)) throw new ConfigError(foreignClusterMessage(owner, this.groupId, this.dc));
      this.log.warn({ previous: owner }, `taking over the topics of group ${owner}, which has no members`);
    }
    this.stores.status.onForeignClaim = (g) => {
      if (g === this.groupId || this.stopped || this.refused) return;
      // Another cluster claimed the topics after us: the last claim owns them. Stop rather than run every
      // connector twice.
      this.refused = true;
      const e = new ConfigError(foreignClusterMessage(g, this.groupId, this.dc));
      this.log.error(e.message);
      void this.stopAllWork().finally(() => this.onFatal?.(e));
    };
    await this.stores.status.claim(this.groupId);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.keyTimer);
    this.autoRestarts.stop();
    await this.serial(() => this.stopAllWork());
    await this.coordinator.stop();
    await this.stores.status.stop();
    for (const s of this.ownOffsetStores.values()) await (await s).stop().catch(() => undefined);
    await this.stores.offsets.stop();
    await this.stores.config.stop();
    await this.admin.close();
  }

  /** Whether this worker leads the group now, and the leader's URL (for tests and `/admin`). */
  get leadership(): { leader: boolean; leaderUrl: string; generation: number } {
    return { leader: this.coordinator.isLeader, leaderUrl: this.coordinator.state.leaderUrl, generation: this.generation };
  }

  /** Resolves once no rebalance is in progress (or after `timeoutMs`). */
  settled(timeoutMs: number): Promise<boolean> {
    return this.coordinator.settled(timeoutMs);
  }

  /** For REST forwarding: null when this worker leads (after any rebalance ended), else the leader's URL. */
  async leaderUrl(timeoutMs: number): Promise<string | null> {
    await this.coordinator.settled(timeoutMs);
    return this.coordinator.isLeader ? null : this.coordinator.state.leaderUrl;
  }

  // ---- the group's work ------------------------------------------------------------------------------------

  private configuredWork(): WorkItem[] {
    const out: WorkItem[] = [];
    for (const name of this.stores.config.connectorNames()) {
      const c = this.stores.config.connector(name)!;
      out.push({ connector: name, task: -1 });
      for (let task = 0; task < c.taskConfigs.length; task++) out.push({ connector: name, task });
    }
    return out;
  }

  private async onAssignment(a: WorkerAssignment, generation: number): Promise<void> {
    this.generation = generation;
    if (this.stopped || this.refused) return;
    const epoch = this.epoch;
    if (this.coordinator.isLeader) await this.ensureSessionKey();
    // Revoked first (tasks, then connectors), all at once.
    const revoked = allocationItems(a.revoked);
    const revokedTasks = revoked.filter((i) => i.task >= 0);
    await this.worker.stopTasks(revokedTasks.filter((i) => this.owned.has(itemKey(i))));
    for (const i of revokedTasks) this.forget(i);
    const revokedConnectors = revoked.filter((i) => i.task < 0);
    await Promise.all(revokedConnectors.filter((i) => this.owned.has(itemKey(i))).map((i) => this.worker.stopConnector(i.connector, this)));
    for (const i of revokedConnectors) this.forget(i);
    // Then the assigned work, concurrently; source tasks after one catch-up with the offsets topic.
    const assigned = allocationItems(a.assigned);
    const sources = [...new Set(assigned.filter((i) => i.task >= 0).map((i) => i.connector))];
    await Promise.all(sources.map(async (c) => (await this.offsetStoreOf(this.stores.config.connector(c)?.config ?? {})).readToEnd()));
    if (epoch !== this.epoch) return;
    for (const i of assigned) this.owned.set(itemKey(i), i);
    await Promise.all(assigned.filter((i) => i.task < 0).map((i) => this.startConnector(i.connector)));
    await Promise.all(assigned.filter((i) => i.task >= 0).map((i) => this.startTask(i, epoch)));
  }

  private forget(i: WorkItem): void {
    this.owned.delete(itemKey(i));
    if (i.task >= 0) this.startedWith.delete(taskIdString(i));
    else this.connectorStates.delete(i.connector);
  }

  private owns(connector: string, task = -1): boolean {
    return this.owned.has(itemKey({ connector, task }));
  }

  private ownedTasks(connector: string): ConnectorTaskId[] {
    return [...this.owned.values()].filter((i) => i.connector === connector && i.task >= 0);
  }

  private async stopAllWork(): Promise<void> {
    this.epoch++;
    const items = [...this.owned.values()];
    this.owned.clear();
    await this.worker.stopTasks(items.filter((i) => i.task >= 0));
    await Promise.all(items.filter((i) => i.task < 0).map((i) => this.worker.stopConnector(i.connector, this)));
    this.startedWith.clear();
    this.connectorStates.clear();
  }

  /** Starts a connector we hold and, unless STOPPED, regenerates its task configs (written when they changed). */
  private async startConnector(name: string): Promise<void> {
    const snap = this.stores.config.connector(name);
    if (!snap) return;
    this.connectorStates.set(name, snap.targetState);
    const ok = await this.worker.startConnector(name, snap.config, snap.targetState, this);
    if (!ok) return;
    if (snap.targetState === 'STOPPED' && snap.taskConfigs.length) await this.putTaskConfigsAsLeader(name, []);
    // As Java: task configs are generated only while the connector runs (a connector created PAUSED gets its
    // tasks when it is resumed; one paused later keeps them, with the configs they had).
    if (snap.targetState === 'STARTED') await this.reconfigureTasks(name);
  }

  private async reconfigureTasks(name: string, attempt = 1): Promise<void> {
    const snap = this.stores.config.connector(name);
    if (snap?.targetState !== 'STARTED' || !this.worker.isRunning(name)) return;
    let next: Array<Record<string, string>>;
    try {
      next = await this.worker.taskConfigs(name, Number(snap.config['tasks.max'] ?? 1));
    } catch (err) {
      this.onFailure(name, err as Error);
      return;
    }
    if (JSON.stringify(next) !== JSON.stringify(snap.taskConfigs)) await this.putTaskConfigsAsLeader(name, next, attempt);
  }

  /** Writes task configs when this worker leads, else sends them to the leader. */
  private async putTaskConfigsAsLeader(name: string, configs: Array<Record<string, string>>, attempt = 1): Promise<void> {
    if (this.coordinator.isLeader) await this.stores.config.putTaskConfigs(name, configs);
    else this.sendTaskConfigsToLeader(name, configs, attempt);
  }

  /**
   * As Java: a worker that runs a connector but does not lead sends its task configs to the leader, signed with the
   * session key; retried with backoff while the leader is unknown or refuses (e.g. a rotated key).
   */
  private sendTaskConfigsToLeader(name: string, configs: Array<Record<string, string>>, attempt = 1): void {
    const retry = (why: string) => {
      if (this.stopped || !this.owns(name)) return;
      if (attempt === 1 || attempt % 10 === 0) this.log.warn({ connector: name, attempt }, `could not send task configs to the leader (${why}); retrying`);
      // Again from the connector (not the configs captured now: newer ones may have been committed meanwhile).
      setTimeout(() => void this.serial(() => this.reconfigureTasks(name, attempt + 1)), Math.min(250 * 2 ** Math.min(attempt, 5), 5_000)).unref();
    };
    const key = this.stores.config.sessionKey;
    const leader = this.coordinator.state.leaderUrl;
    if (!key || !leader) {
      retry(!key ? 'no session key yet' : 'no known leader');
      return;
    }
    const body = JSON.stringify(configs);
    const url = new URL(`connectors/${encodeURIComponent(name)}/tasks?forward=true`, leader);
    this.restFetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signatureHeaders(key, body) }, body }).then(
      async (res) => (res.ok ? undefined : retry(`${res.status} ${await res.text()}`)),
      (e: Error) => retry(e.message),
    );
  }

  verifyInternalRequest(headers: Record<string, string | string[] | undefined>, rawBody: string): void {
    verifySignature(this.stores.config.sessionKey, headers, rawBody);
  }

  /** `POST /connectors/{c}/tasks` from the worker that runs the connector (internal, signed); the leader writes them. */
  async putTaskConfigs(
    name: string,
    configs: Array<Record<string, string>>,
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
  ): Promise<void> {
    verifySignature(this.stores.config.sessionKey, headers, rawBody);
    if (!Array.isArray(configs) || configs.some((c) => !c || typeof c !== 'object' || Array.isArray(c)))
      throw badRequest('Task configs must be a JSON array of objects');
    await this.stores.config.readToEnd();
    this.snapshot(name);
    await this.stores.config.putTaskConfigs(name, configs);
  }

  /**
   * `PUT /connectors/{c}/fence` (internal, signed; served by the leader): Java's zombie fencing of a source connector's
   * earlier task producers before exactly-once tasks start. kconnect has no exactly-once source support, so no
   * connector has a task-count record and there is nothing to fence: Java's answer in that case (204), after the
   * same checks (signature, unknown connector 404, sink connector 400).
   */
  async fenceZombieSourceTasks(name: string, headers: Record<string, string | string[] | undefined>, rawBody: string): Promise<void> {
    verifySignature(this.stores.config.sessionKey, headers, rawBody);
    await this.stores.config.readToEnd();
    const snap = this.snapshot(name);
    if (connectorType(this.worker, snap.config) !== 'source') throw badRequest(`Connector ${name} is not a source connector`);
  }

  /** The leader keeps a session key for internal requests, rotated every `inter.worker.key.ttl.ms`. */
  private async ensureSessionKey(): Promise<void> {
    const key = this.stores.config.sessionKey;
    if (key && key.creationTimestamp + this.keyTtlMs > Date.now()) return;
    await this.stores.config.putSessionKey(newSessionKey());
    this.log.info('wrote a new session key for internal requests');
  }

  private async startTask(id: ConnectorTaskId, epoch = this.epoch): Promise<void> {
    const snap = this.stores.config.connector(id.connector);
    const cfg = snap?.taskConfigs[id.task];
    if (!snap || !cfg || epoch !== this.epoch || !this.owns(id.connector, id.task)) return;
    this.startedWith.set(taskIdString(id), startedWith(snap.config, cfg));
    await this.worker.startTask(id, snap.config, cfg, snap.targetState, this);
    // Fenced while it started: it must not run.
    if (epoch !== this.epoch || !this.owns(id.connector, id.task)) await this.worker.stopTasks([id]);
  }

  private async restartTaskHere(id: ConnectorTaskId): Promise<void> {
    this.autoRestarts.cancelTask(id);
    await this.worker.stopTasks([id]);
    const config = this.stores.config.connector(id.connector)?.config ?? {};
    if (connectorType(this.worker, config) === 'source') await (await this.offsetStoreOf(config)).readToEnd();
    await this.startTask(id);
  }

  private async restartConnectorHere(name: string): Promise<void> {
    await this.worker.stopConnector(name, this);
    await this.startConnector(name);
  }

  // ---- config records (from any worker) --------------------------------------------------------------------

  private onConfigUpdate(u: ConfigUpdate): void {
    if (u.kind === 'session-key') return;
    if (u.kind === 'logger') {
      // Only levels set after this worker started apply (as Java: older records are history, not commands).
      if (this.started) this.applyLoggerLevel(u.namespace, u.level);
      return;
    }
    void this.serial(() => this.applyConfigUpdate(u)).catch((e: Error) => this.log.error({ err: e, update: u }, 'could not apply a config update'));
  }

  private applyLoggerLevel(namespace: string, level: string): void {
    const l = level.toUpperCase();
    if (!(LEVELS as readonly string[]).includes(l)) {
      this.log.warn({ namespace, level }, 'ignoring a cluster logger level that is not a level');
      return;
    }
    this.worker.loggers.setLevel(namespace, l as LogLevel);
    this.log.info({ namespace, level: l }, 'logger level set for the whole cluster');
  }

  async setClusterLoggerLevel(namespace: string, level: string): Promise<void> {
    await this.stores.config.putLoggerLevel(namespace, level);
  }

  private async applyConfigUpdate(u: Exclude<ConfigUpdate, { kind: 'session-key' | 'logger' }>): Promise<void> {
    const name = u.connector;
    const snap = this.stores.config.connector(name);
    if (u.kind === 'connector') {
      const known = this.taskCounts.has(name);
      if (!snap) {
        // Deleted: stop what we run of it; the leader revokes it in the rebalance.
        this.taskCounts.delete(name);
        this.autoRestarts.cancelConnector(name);
        const tasks = this.ownedTasks(name);
        await this.worker.stopTasks(tasks);
        for (const t of tasks) this.forget(t);
        if (this.owns(name)) await this.worker.stopConnector(name, this);
        this.forget({ connector: name, task: -1 });
        this.coordinator.requestRejoin(`connector ${name} deleted`);
        return;
      }
      if (!known) {
        this.taskCounts.set(name, snap.taskConfigs.length);
        this.coordinator.requestRejoin(`connector ${name} created`);
        return;
      }
      if (this.owns(name)) await this.restartConnectorHere(name);
      // Its tasks run with the new connector config too (converters, transforms, overrides), even when the task
      // configs the connector generates stay the same (as Java since KAFKA-9228).
      await this.restartChangedTasks(name);
      return;
    }
    if (!snap) return;
    if (u.kind === 'tasks') {
      if (this.taskCounts.get(name) !== snap.taskConfigs.length) {
        this.taskCounts.set(name, snap.taskConfigs.length);
        // Tasks beyond the new count stop now, before the others restart with configs that may cover their work.
        const gone = this.ownedTasks(name).filter((id) => id.task >= snap.taskConfigs.length);
        await this.worker.stopTasks(gone);
        for (const id of gone) this.forget({ connector: id.connector, task: id.task });
        this.coordinator.requestRejoin(`connector ${name} has ${snap.taskConfigs.length} tasks now`);
      }
      await this.restartChangedTasks(name);
      return;
    }
    if (u.kind === 'target-state') {
      await this.applyTargetState(name, snap.targetState);
      return;
    }
    // A restart request: each worker restarts what it holds of the connector.
    const connectorFailed = this.stores.status.connector(name)?.state === 'FAILED';
    if (this.owns(name) && (!u.onlyFailed || connectorFailed)) await this.restartConnectorHere(name);
    if (u.includeTasks) {
      for (const id of this.ownedTasks(name)) {
        if (!u.onlyFailed || this.stores.status.task(name, id.task)?.state === 'FAILED') await this.restartTaskHere(id);
      }
    }
  }

  /** Restarts the tasks of a connector we run whose own config or connector config changed since they started. */
  private async restartChangedTasks(name: string): Promise<void> {
    const snap = this.stores.config.connector(name);
    if (!snap) return;
    const changed = this.ownedTasks(name).filter((id) => {
      const cfg = snap.taskConfigs[id.task];
      return cfg && startedWith(snap.config, cfg) !== this.startedWith.get(taskIdString(id));
    });
    await Promise.all(changed.map((id) => this.restartTaskHere(id)));
  }

  private async applyTargetState(name: string, state: TargetState): Promise<void> {
    if (state === 'STOPPED') {
      const tasks = this.ownedTasks(name);
      await this.worker.stopTasks(tasks);
      if (this.owns(name)) {
        await this.worker.stopConnector(name, this);
        await this.startConnector(name);
      }
      return;
    }
    if (this.owns(name)) {
      // Out of STOPPED the connector starts again and generates its tasks; otherwise it is paused or resumed (and
      // on resume its tasks are generated again: they may be missing or stale).
      if (this.connectorStates.get(name) === 'STOPPED' || !this.worker.isRunning(name)) await this.restartConnectorHere(name);
      else {
        this.connectorStates.set(name, state);
        this.worker.setConnectorTargetState(name, state, this);
        if (state === 'STARTED') await this.reconfigureTasks(name);
      }
    }
    this.worker.setTaskTargetState(name, state);
  }

  // ---- reads -------------------------------------------------------------------------------------------------

  private snapshot(name: string, missing = `Connector ${name} not found`) {
    const s = this.stores.config.connector(name);
    if (!s) throw notFound(missing);
    return s;
  }

  connectors(): string[] {
    return this.stores.config.connectorNames();
  }

  connectorInfo(name: string): ConnectorInfo {
    const s = this.snapshot(name);
    return { name, config: { ...s.config }, tasks: s.taskConfigs.map((_, task) => ({ connector: name, task })), type: connectorType(this.worker, s.config) };
  }

  connectorConfig(name: string): Record<string, string> {
    return { ...this.snapshot(name).config };
  }

  taskConfigs(name: string) {
    return this.snapshot(name).taskConfigs.map((config, task) => ({ id: { connector: name, task }, config: { ...config } }));
  }

  private statusEntry(s: { state: string; trace: string | null; worker_id: string; failure?: FailureInfo }): StatusEntry {
    const e: StatusEntry = { state: s.state as State, worker_id: s.worker_id };
    if (s.trace) e.trace = s.trace;
    // A FAILED status a Java worker (or an older kconnect) wrote has no `failure`: class and message from the trace.
    if (s.state === 'FAILED') {
      const failure = s.failure ?? (s.trace ? failureFromTrace(s.trace) : undefined);
      if (failure) e.failure = failure;
    }
    return e;
  }

  connectorStatus(name: string): ConnectorStateInfo {
    const snap = this.stores.config.connector(name);
    const c = this.stores.status.connector(name);
    if (!snap || !c) throw notFound(`No status found for connector ${name}`);
    const version = connectorVersion(this.worker, snap.config);
    const tasks: TaskStateInfo[] = [];
    for (let id = 0; id < snap.taskConfigs.length; id++) {
      const t = this.stores.status.task(name, id);
      if (t) tasks.push({ id, ...this.statusEntry(t), ...version });
    }
    return { name, connector: { ...this.statusEntry(c), ...version }, tasks, type: connectorType(this.worker, snap.config) };
  }

  taskStatus(connector: string, task: number): TaskStateInfo {
    const s = this.stores.status.task(connector, task);
    const snap = this.stores.config.connector(connector);
    if (!s || !snap || task >= snap.taskConfigs.length) throw notFound(`No status found for task ${connector}-${task}`);
    return { id: task, ...this.statusEntry(s), ...connectorVersion(this.worker, snap.config) };
  }

  connectorTopics(name: string): string[] {
    if (!this.worker.config.topicTracking) throw forbidden('Topic tracking is disabled.');
    return this.stores.status.connectorTopics(name);
  }

  resetConnectorTopics(name: string): void {
    if (!this.worker.config.topicTracking) throw forbidden('Topic tracking is disabled.');
    if (!this.worker.config.topicTrackingAllowReset) throw forbidden('Topic tracking reset is disabled.');
    void this.stores.status.resetTopics(name).catch((e: Error) => this.log.warn({ err: e }, 'could not reset topics'));
  }

  plugins(connectorsOnly: boolean): PluginInfo[] {
    return listPlugins(this.worker, connectorsOnly);
  }

  pluginConfig(plugin: string, version?: string): ConfigKeyInfo[] {
    return pluginConfig(this.worker, plugin, version);
  }

  validateConnectorConfig(config: Record<string, string>): Promise<ConfigInfos> {
    return validate(this.worker, config);
  }

  // ---- writes ------------------------------------------------------------------------------------------------

  /** Runs leader writes one at a time: each sees the configs the previous one wrote. */
  private write<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined);
    return run;
  }

  putConnectorConfig(
    name: string,
    config: Record<string, string>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    return this.write(() => this.putConnectorConfigNow(name, config, options));
  }

  private async putConnectorConfigNow(
    name: string,
    config: Record<string, string>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    await this.stores.config.readToEnd();
    const existing = this.stores.config.connector(name);
    if (existing && !options.allowReplace) throw conflict(`Connector ${name} already exists`);
    const full = { ...config, name };
    const infos = await this.validateConnectorConfig(full);
    if (infos.error_count > 0) throw badRequest(invalidConfigMessage(infos));
    await this.stores.config.putConnectorConfig(name, full, existing ? undefined : options.initialState);
    this.log.info({ connector: name }, existing ? 'Reconfigured connector' : 'Created connector');
    return { created: !existing, info: this.connectorInfo(name) };
  }

  patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    return this.write(async () => {
      await this.stores.config.readToEnd();
      const config = { ...this.snapshot(name).config };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete config[k];
        else config[k] = v;
      }
      if (config.name !== undefined && config.name !== name) throw badRequest('Connector name configuration (name) cannot be changed through PATCH');
      return (await this.putConnectorConfigNow(name, config, { allowReplace: true })).info;
    });
  }

  deleteConnector(name: string): Promise<void> {
    return this.write(async () => {
      await this.stores.config.readToEnd();
      const snap = this.snapshot(name);
      await this.stores.config.removeConnectorConfig(name);
      await this.stores.status.deleteConnector(name, snap.taskConfigs.length);
      this.log.info({ connector: name }, 'Deleted connector');
    });
  }

  pauseConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'PAUSED');
  }

  resumeConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'STARTED');
  }

  stopConnector(name: string): Promise<void> {
    return this.write(async () => {
      await this.stores.config.readToEnd();
      this.snapshot(name, UNKNOWN_CONNECTOR(name));
      // As Java's leader: the tasks go first (their configs emptied: the rebalance revokes them), then the state.
      await this.stores.config.putTaskConfigs(name, []);
      await this.stores.config.putTargetState(name, 'STOPPED');
    });
  }

  private async setTargetState(name: string, state: TargetState): Promise<void> {
    await this.stores.config.readToEnd();
    this.snapshot(name, UNKNOWN_CONNECTOR(name));
    await this.stores.config.putTargetState(name, state);
  }

  /**
   * As Java: a plain restart is done by the worker that runs the connector (routed there as a task restart is);
   * with `includeTasks` or `onlyFailed` the leader writes a restart request to the config topic for every worker.
   */
  async restartConnector(
    name: string,
    includeTasks: boolean,
    onlyFailed: boolean,
    forward?: boolean,
    authorization?: string,
  ): Promise<ConnectorStateInfo | null> {
    await this.stores.config.readToEnd();
    this.snapshot(name, UNKNOWN_CONNECTOR_RESTART(name));
    const plain = !includeTasks && !onlyFailed;
    if (plain) {
      if (this.owns(name)) await this.serial(() => this.restartConnectorHere(name));
      else await this.restartOnOwner({ connector: name, task: -1 }, `connectors/${encodeURIComponent(name)}/restart`, forward, authorization);
      return null;
    }
    // As Java: the answer shows what will restart as RESTARTING.
    const status = this.connectorStatus(name);
    const restartConnector = !onlyFailed || status.connector.state === 'FAILED';
    const shown: ConnectorStateInfo = {
      ...status,
      connector: restartConnector ? { ...status.connector, state: 'RESTARTING' } : status.connector,
      tasks: status.tasks.map((t) => (includeTasks && (!onlyFailed || t.state === 'FAILED') ? { ...t, state: 'RESTARTING' } : t)),
    };
    await this.stores.config.putRestartRequest(name, includeTasks, onlyFailed);
    return shown;
  }

  /**
   * As Java: the worker that runs the task restarts it; another worker forwards the request to the leader, which
   * forwards it to the task's worker (from the assignment it computed) — with the `forward` parameter, never more.
   */
  async restartTask(connector: string, task: number, forward?: boolean, authorization?: string): Promise<void> {
    await this.stores.config.readToEnd();
    const snap = this.snapshot(connector, UNKNOWN_CONNECTOR_RESTART(connector));
    if (!snap.taskConfigs[task]) throw notFound(`Unknown task: ${connector}-${task}`);
    const id = { connector, task };
    if (this.owns(connector, task)) return this.serial(() => this.restartTaskHere(id));
    await this.restartOnOwner(id, `connectors/${encodeURIComponent(connector)}/tasks/${task}/restart`, forward, authorization);
  }

  /**
   * Sends a restart of a connector or task this worker does not run towards the worker that does: to the leader
   * (`forward=true` for a user's request), which sends it to the owner it assigned (`forward=false`, never further).
   */
  private async restartOnOwner(item: WorkItem, path: string, forward: boolean | undefined, authorization: string | undefined): Promise<void> {
    const what = item.task < 0 ? `connector ${item.connector}` : `task ${item.connector}-${item.task}`;
    if (forward === false) throw conflict('Cannot complete request because of a conflicting operation (e.g. worker rebalance)');
    let target: string | null;
    let next: boolean;
    if (this.coordinator.isLeader) {
      target = this.coordinator.ownerUrl(item);
      next = false;
      if (!target || target === this.url) throw conflict(`Cannot restart ${what}: it is not assigned to a worker yet; try again shortly`);
    } else {
      target = this.coordinator.state.leaderUrl;
      next = forward === undefined;
      if (!target) throw conflict('Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.');
    }
    const url = new URL(`${path}?forward=${next}`, target);
    // With the user's credentials: the next worker authorizes the user, not this worker.
    const res = await this.restFetch(url, { method: 'POST', headers: authorization ? { authorization } : {} });
    if (res.status >= 400) {
      const body = (await res.json().catch(() => null)) as { message?: string } | null;
      throw new HttpError(res.status, body?.message ?? `Restarting ${what} on ${target} failed with ${res.status}`);
    }
  }

  async connectorOffsets(name: string): Promise<ConnectorOffset[]> {
    const snap = this.snapshot(name);
    return readConnectorOffsets(await this.offsetsContext(snap.config), name, connectorType(this.worker, snap.config));
  }

  alterConnectorOffsets(name: string, offsets: ConnectorOffset[]): Promise<void> {
    return this.write(async () => {
      const snap = await this.stoppedSnapshot(name);
      const ctx = await this.offsetsContext(snap.config);
      await alterConnectorOffsets(ctx, name, resolvedForPlugin(this.worker, snap.config), connectorType(this.worker, snap.config), offsets);
    });
  }

  resetConnectorOffsets(name: string): Promise<void> {
    return this.write(async () => {
      const snap = await this.stoppedSnapshot(name);
      const ctx = await this.offsetsContext(snap.config);
      await resetConnectorOffsets(ctx, name, resolvedForPlugin(this.worker, snap.config), connectorType(this.worker, snap.config));
    });
  }

  private async stoppedSnapshot(name: string) {
    await this.stores.config.readToEnd();
    const snap = this.snapshot(name);
    const running = [...Array(snap.taskConfigs.length).keys()].some((t) => ['RUNNING', 'PAUSED'].includes(this.stores.status.task(name, t)?.state ?? ''));
    if (snap.targetState !== 'STOPPED' || snap.taskConfigs.length > 0 || running) throw badRequest(STOPPED_REQUIRED(name));
    return snap;
  }

  /** The connector's offsets (caught up with the topic): for source connectors its store, for sinks its group. */
  private async offsetsContext(config: Record<string, string>) {
    const offsetStore = await this.offsetStoreOf(config);
    if (connectorType(this.worker, config) !== 'sink') await offsetStore.readToEnd();
    return { worker: this.worker, admin: this.admin, offsetStore };
  }

  /**
   * A source connector's offset store: the worker's, or — with its own `offsets.storage.topic` (KIP-618) — that
   * topic first and the worker's as fallback (created and read once per topic, then shared).
   */
  private offsetStoreOf(config: Record<string, string>): Promise<KafkaOffsetStore | ConnectorOffsetStore> {
    const topic = config['offsets.storage.topic']?.trim();
    if (!topic || topic === this.dc.offsetTopic) return Promise.resolve(this.stores.offsets);
    let store = this.ownOffsetStores.get(topic);
    if (!store) {
      const own = this.stores.offsetsOn(topic);
      store = own.start().then(() => new ConnectorOffsetStore(own, this.stores.offsets, this.log));
      store.catch(() => this.ownOffsetStores.delete(topic));
      this.ownOffsetStores.set(topic, store);
    }
    return store;
  }

  // ---- status listeners (this worker's connectors and tasks) ---------------------------------------------------

  private put(nameOrId: string | ConnectorTaskId, state: State, error?: Error): void {
    const s = {
      state,
      trace: error ? traceOf(error) : null,
      worker_id: this.worker.workerId,
      generation: this.generation,
      ...(error ? { failure: failureOf(error) } : {}),
    };
    const write =
      typeof nameOrId === 'string'
        ? this.owns(nameOrId) && this.stores.config.connector(nameOrId)
          ? this.stores.status.putConnector(nameOrId, s)
          : Promise.resolve()
        : this.owns(nameOrId.connector, nameOrId.task)
          ? this.stores.status.putTask(nameOrId.connector, nameOrId.task, s)
          : Promise.resolve();
    write.catch((e: Error) => this.log.warn({ err: e }, 'could not write a status'));
  }

  onStartup(nameOrId: string | ConnectorTaskId): void {
    // Until it runs, the item keeps its last known status (never a silent UNASSIGNED during a rebalance).
    void nameOrId;
  }
  onRunning(nameOrId: string | ConnectorTaskId): void {
    this.put(nameOrId, 'RUNNING');
  }
  onPause(nameOrId: string | ConnectorTaskId): void {
    this.put(nameOrId, 'PAUSED');
  }
  onStop(name: string): void {
    this.put(name, 'STOPPED');
  }
  onFailure(nameOrId: string | ConnectorTaskId, error: Error): void {
    this.put(nameOrId, 'FAILED', error);
    if (typeof nameOrId !== 'string' && this.owns(nameOrId.connector, nameOrId.task)) this.autoRestarts.failed(nameOrId);
  }
  onShutdown(nameOrId: string | ConnectorTaskId): void {
    void nameOrId;
  }

  onTaskReconfigurationRequest(name: string): void {
    void this.serial(() => this.reconfigureTasks(name)).catch((err: Error) => this.onFailure(name, err));
  }

  /** Topic tracking: called by the worker for each topic a connector's task used. */
  recordTopic(connector: string, topic: string): void {
    if (!this.worker.config.topicTracking) return;
    void this.stores.status.putTopic(connector, 0, topic).catch((e: Error) => this.log.warn({ err: e }, 'could not record a topic'));
  }
}

function foreignClusterMessage(owner: string, groupId: string, dc: DistributedConfig): string {
  return `The topics ${dc.configTopic}, ${dc.offsetTopic} and ${dc.statusTopic} belong to the Connect cluster with group.id '${owner}', which has running workers; this worker has group.id '${groupId}'. Two clusters on the same topics would each run every connector: give this worker group.id=${owner}, or other topics.`;
}

/** What a task was started with: its own config and its connector's (a change of either restarts it, KAFKA-9228). */
function startedWith(connectorConfig: Record<string, string>, taskConfig: Record<string, string>): string {
  return JSON.stringify([connectorConfig, taskConfig]);
}
