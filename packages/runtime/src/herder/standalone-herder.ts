/**
 * The standalone herder: one worker, connector configs from files and REST, offsets in a local file. Operations
 * are serialized (one at a time, like Java's synchronized StandaloneHerder); status changes arrive from the worker
 * through listeners at any time.
 */
import type { ConfigKeyInfo } from '@kconnect/api';
import type { KafkaAdmin } from '../kafka/client';
import type { Logger } from '../logging';
import { readJson, SerialWriter, writeJsonAtomic } from '../storage/json-file';
import { TaskAutoRestarts } from './auto-restart';
import { UNKNOWN_CONNECTOR, UNKNOWN_CONNECTOR_RESTART } from './common';
import { badRequest, conflict, forbidden, notFound } from '../rest/errors';
import type { ConnectorStatusListener, Worker } from '../worker/worker';
import { type ConnectorTaskId, type TargetState, type TaskStatusListener, taskIdString } from '../worker/task-executor';
import { failureOf, traceOf } from '../worker/failure';
import { HerderBase } from './herder-base';
import { connectorType, connectorVersion, listPlugins, pluginConfig, resolvedForPlugin, validate } from './common';
import { alterConnectorOffsets, type OffsetsContext, readConnectorOffsets, resetConnectorOffsets, STOPPED_REQUIRED } from './connector-offsets';
import type {
  ConfigInfos,
  ConnectorInfo,
  ConnectorOffset,
  ConnectorStateInfo,
  ConnectorType,
  Herder,
  PluginInfo,
  State,
  StatusEntry,
  TaskStateInfo,
} from './types';
import { invalidConfigMessage } from './validation';

interface ConnectorEntry {
  config: Record<string, string>;
  targetState: TargetState;
  taskConfigs: Array<Record<string, string>>;
  /** The tasks were started with an older connector config (it was changed while PAUSED): replace them on resume. */
  tasksStale?: boolean;
}

export class StandaloneHerder extends HerderBase implements Herder, ConnectorStatusListener, TaskStatusListener {
  private readonly entries = new Map<string, ConnectorEntry>();
  private readonly connectorStatuses = new Map<string, StatusEntry>();
  private readonly taskStatuses = new Map<string, StatusEntry>();
  private readonly topics = new Map<string, Set<string>>();
  private readonly configWriter: SerialWriter | null;
  private readonly autoRestarts: TaskAutoRestarts;
  private stopped = false;

  constructor(
    private readonly worker: Worker,
    private readonly admin: KafkaAdmin,
    private readonly log: Logger,
  ) {
    super();
    const file = worker.config.configFile;
    this.configWriter = file ? new SerialWriter(() => writeJsonAtomic(file, this.configSnapshot())) : null;
    this.autoRestarts = new TaskAutoRestarts(worker.config.restartMaxRetries, worker.config.restartBackoffMs, log, (id) =>
      this.serial(async () => {
        if (!this.stopped && this.taskStatuses.get(taskIdString(id))?.state === 'FAILED') await this.restartTaskNow(id);
      }),
    );
  }

  /** Starts the herder: loads persisted connectors (if configured) and then the given connector configs. */
  async start(initial: Array<{ name: string; config: Record<string, string> }> = []): Promise<void> {
    this.clusterId = await this.admin.clusterId();
    await this.worker.offsetStore.start();
    const file = this.worker.config.configFile;
    if (file) {
      const doc = (await readJson(file)) as { connectors?: Record<string, { config: Record<string, string>; target_state: TargetState }> } | undefined;
      for (const [name, c] of Object.entries(doc?.connectors ?? {})) {
        // A restored PAUSED connector gets its (paused) tasks back, as Java's distributed worker restores them from
        // the config topic; only a connector created PAUSED waits for its first resume (below).
        await this.serial(() => this.putLocked(name, c.config, { allowReplace: true, initialState: c.target_state }, true));
      }
    }
    for (const c of initial) await this.putConnectorConfig(c.name, c.config, { allowReplace: true });
    this.markStarted();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.autoRestarts.stop();
    await this.serial(async () => {
      await this.worker.stop();
      await this.worker.offsetStore.stop();
      await this.configWriter?.schedule();
    });
    await this.admin.close();
  }

  private entry(name: string, missing = `Connector ${name} not found`): ConnectorEntry {
    const e = this.entries.get(name);
    if (!e) throw notFound(missing);
    return e;
  }

  private configSnapshot() {
    const connectors: Record<string, { config: Record<string, string>; target_state: TargetState }> = {};
    for (const [name, e] of this.entries) connectors[name] = { config: e.config, target_state: e.targetState };
    return { format: 'kconnect.configs', version: 1, connectors };
  }

  private persist(): Promise<void> {
    return this.configWriter?.schedule() ?? Promise.resolve();
  }

  private typeOf(e: ConnectorEntry): ConnectorType {
    return connectorType(this.worker, e.config);
  }

  private versionOf(e: ConnectorEntry): { version?: string } {
    return connectorVersion(this.worker, e.config);
  }

  // ---- reads -------------------------------------------------------------------------------------------------

  connectors(): string[] {
    return [...this.entries.keys()].sort();
  }

  connectorInfo(name: string): ConnectorInfo {
    const e = this.entry(name);
    return {
      name,
      config: { ...e.config },
      tasks: e.taskConfigs.map((_, task) => ({ connector: name, task })),
      type: this.typeOf(e),
    };
  }

  connectorConfig(name: string): Record<string, string> {
    return { ...this.entry(name).config };
  }

  taskConfigs(name: string) {
    return this.entry(name).taskConfigs.map((config, task) => ({ id: { connector: name, task }, config: { ...config } }));
  }

  connectorStatus(name: string): ConnectorStateInfo {
    const e = this.entries.get(name);
    const c = this.connectorStatuses.get(name);
    if (!e || !c) throw notFound(`No status found for connector ${name}`);
    const version = this.versionOf(e);
    const tasks: TaskStateInfo[] = e.taskConfigs.map((_, id) => ({
      id,
      ...(this.taskStatuses.get(taskIdString({ connector: name, task: id })) ?? this.status('UNASSIGNED')),
      ...version,
    }));
    return { name, connector: { ...c, ...version }, tasks, type: this.typeOf(e) };
  }

  taskStatus(connector: string, task: number): TaskStateInfo {
    // Only tasks the connector has now (a stopped connector has none, whatever its tasks last reported).
    const e = this.entries.get(connector);
    const s = e && task >= 0 && task < e.taskConfigs.length ? this.taskStatuses.get(taskIdString({ connector, task })) : undefined;
    if (!e || !s) throw notFound(`No status found for task ${connector}-${task}`);
    return { id: task, ...s, ...this.versionOf(e) };
  }

  connectorTopics(name: string): string[] {
    if (!this.worker.config.topicTracking) throw forbidden('Topic tracking is disabled.');
    // As Java: no existence check; an unknown connector has used no topics.
    return [...(this.topics.get(name) ?? [])].sort();
  }

  resetConnectorTopics(name: string): void {
    if (!this.worker.config.topicTracking) throw forbidden('Topic tracking is disabled.');
    if (!this.worker.config.topicTrackingAllowReset) throw forbidden('Topic tracking reset is disabled.');
    // As Java: no existence check (202 for an unknown connector too).
    this.topics.delete(name);
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

  putConnectorConfig(
    name: string,
    config: Record<string, string>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    return this.serial(() => this.putLocked(name, config, options));
  }

  /**
   * Creates or replaces a connector; the caller holds the herder's queue. As Java's StandaloneHerder, tasks are
   * (re)generated only while the target state is STARTED: a connector created PAUSED has no tasks until it is
   * resumed, and a PAUSED connector whose config changes keeps its paused tasks (and their configs) until then.
   */
  private async putLocked(
    name: string,
    config: Record<string, string>,
    options: { allowReplace: boolean; initialState?: TargetState },
    restore = false,
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    const existing = this.entries.get(name);
    if (existing && !options.allowReplace) throw conflict(`Connector ${name} already exists`);
    const full = { ...config, name };
    const infos = await this.validateConnectorConfig(full);
    if (infos.error_count > 0) throw badRequest(invalidConfigMessage(infos));
    if (existing?.targetState === 'PAUSED' && existing.taskConfigs.length > 0) {
      await this.worker.stopConnector(name, this);
      existing.config = full;
      existing.tasksStale = true;
      await this.persist();
      await this.worker.startConnector(name, full, 'PAUSED', this);
    } else {
      if (existing) await this.stopAll(name);
      const entry: ConnectorEntry = { config: full, targetState: existing?.targetState ?? options.initialState ?? 'STARTED', taskConfigs: [] };
      this.entries.set(name, entry);
      await this.persist();
      await this.startAll(name, restore);
    }
    this.log.info({ connector: name }, existing ? 'Reconfigured connector' : 'Created connector');
    return { created: !existing, info: this.connectorInfo(name) };
  }

  patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    // Read, merge and write in one turn of the queue, so concurrent PATCHes and a racing DELETE cannot interleave.
    return this.serial(async () => {
      const config = { ...this.entry(name).config };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete config[k];
        else config[k] = v;
      }
      if (config.name !== undefined && config.name !== name) throw badRequest('Connector name configuration (name) cannot be changed through PATCH');
      return (await this.putLocked(name, config, { allowReplace: true })).info;
    });
  }

  deleteConnector(name: string): Promise<void> {
    return this.serial(async () => {
      this.entry(name);
      this.autoRestarts.cancelConnector(name);
      await this.stopAll(name);
      this.entries.delete(name);
      this.connectorStatuses.delete(name);
      this.topics.delete(name);
      for (const k of [...this.taskStatuses.keys()]) if (k.startsWith(`${name}-`) && /^\d+$/.test(k.slice(name.length + 1))) this.taskStatuses.delete(k);
      await this.persist();
      this.log.info({ connector: name }, 'Deleted connector');
    });
  }

  pauseConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'PAUSED', UNKNOWN_CONNECTOR(name));
  }

  resumeConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'STARTED', UNKNOWN_CONNECTOR(name));
  }

  stopConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'STOPPED', UNKNOWN_CONNECTOR(name));
  }

  private setTargetState(name: string, state: TargetState, missing?: string): Promise<void> {
    return this.serial(async () => {
      const e = this.entry(name, missing);
      const prev = e.targetState;
      if (prev === state) return;
      e.targetState = state;
      await this.persist();
      if (state === 'STOPPED') {
        // Tasks are destroyed and their configs emptied, then the connector stops.
        await this.stopAll(name);
        e.taskConfigs = [];
        await this.worker.startConnector(name, e.config, 'STOPPED', this);
      } else if (prev === 'STOPPED') {
        await this.stopAll(name);
        await this.startAll(name);
      } else {
        this.worker.setConnectorTargetState(name, state, this);
        this.worker.setTaskTargetState(name, state);
        // As Java's resume: task configs are computed again and the tasks replaced when they changed (or created,
        // for a connector that was created PAUSED).
        if (state === 'STARTED') await this.updateTasks(name);
      }
    });
  }

  restartConnector(name: string, includeTasks: boolean, onlyFailed: boolean): Promise<ConnectorStateInfo | null> {
    return this.serial(async () => {
      const e = this.entry(name, UNKNOWN_CONNECTOR_RESTART(name));
      const plain = !includeTasks && !onlyFailed;
      const connectorFailed = this.connectorStatuses.get(name)?.state === 'FAILED';
      const restartConnector = !onlyFailed || connectorFailed;
      const tasks = includeTasks
        ? e.taskConfigs.map((_, task) => ({ connector: name, task })).filter((id) => !onlyFailed || this.taskStatuses.get(taskIdString(id))?.state === 'FAILED')
        : [];
      if (plain) {
        await this.restartConnectorInstance(name);
        return null;
      }
      if (restartConnector) this.connectorStatuses.set(name, this.status('RESTARTING'));
      for (const id of tasks) this.taskStatuses.set(taskIdString(id), this.status('RESTARTING'));
      const shown = this.connectorStatus(name);
      // The restart itself runs after the 202 is sent, as Java's does.
      void this.serial(async () => {
        if (!this.entries.has(name)) return;
        if (restartConnector) await this.restartConnectorInstance(name);
        for (const id of tasks) await this.restartTaskNow(id);
      });
      return shown;
    });
  }

  restartTask(connector: string, task: number): Promise<void> {
    return this.serial(async () => {
      const e = this.entry(connector);
      if (!e.taskConfigs[task]) throw notFound(`Task ${connector}-${task} not found`);
      await this.restartTaskNow({ connector, task });
    });
  }

  private async restartTaskNow(id: ConnectorTaskId): Promise<void> {
    this.autoRestarts.cancelTask(id);
    const e = this.entries.get(id.connector);
    const cfg = e?.taskConfigs[id.task];
    if (!e || !cfg) return;
    await this.worker.stopTasks([id]);
    await this.worker.startTask(id, e.config, cfg, e.targetState, this);
  }

  private async restartConnectorInstance(name: string): Promise<void> {
    const e = this.entry(name);
    if (e.taskConfigs.length === 0) {
      // The connector never produced tasks (e.g. its start failed): a restart starts it all, as a new connector.
      await this.stopAll(name);
      await this.startAll(name);
      return;
    }
    await this.worker.stopConnector(name, this);
    await this.worker.startConnector(name, e.config, e.targetState, this);
  }

  /**
   * Starts the connector and, when STARTED (or PAUSED while restoring persisted connectors), its tasks from freshly
   * generated task configs.
   */
  private async startAll(name: string, restore = false): Promise<void> {
    const e = this.entry(name);
    const ok = await this.worker.startConnector(name, e.config, e.targetState, this);
    if (!ok || !(e.targetState === 'STARTED' || (restore && e.targetState === 'PAUSED'))) return;
    try {
      e.taskConfigs = await this.worker.taskConfigs(name, Number(e.config['tasks.max'] ?? 1));
    } catch (err) {
      this.onFailure(name, err as Error);
      return;
    }
    for (let task = 0; task < e.taskConfigs.length; task++) {
      await this.worker.startTask({ connector: name, task }, e.config, e.taskConfigs[task]!, e.targetState, this);
    }
  }

  private async stopAll(name: string): Promise<void> {
    await this.worker.stopTasks(this.worker.taskIds(name));
    await this.worker.stopConnector(name, this);
  }

  /** Regenerates task configs and restarts the tasks when they changed (ConnectorContext.requestTaskReconfiguration). */
  onTaskReconfigurationRequest(name: string): void {
    void this.serial(() => this.updateTasks(name)).catch((err: Error) => this.onFailure(name, err));
  }

  /**
   * Java's updateConnectorTasks: only for a running connector whose target state is STARTED (a PAUSED one is
   * looked at again when resumed); the tasks are replaced when their configs changed.
   */
  private async updateTasks(name: string): Promise<void> {
    const e = this.entries.get(name);
    if (e?.targetState !== 'STARTED' || !this.worker.isRunning(name)) return;
    const next = await this.worker.taskConfigs(name, Number(e.config['tasks.max'] ?? 1));
    if (!e.tasksStale && JSON.stringify(next) === JSON.stringify(e.taskConfigs)) return;
    await this.worker.stopTasks(this.worker.taskIds(name));
    e.taskConfigs = next;
    e.tasksStale = false;
    for (let task = 0; task < next.length; task++) await this.worker.startTask({ connector: name, task }, e.config, next[task]!, e.targetState, this);
  }

  // ---- offsets -----------------------------------------------------------------------------------------------

  async connectorOffsets(name: string): Promise<ConnectorOffset[]> {
    return readConnectorOffsets(this.offsetsContext(), name, this.typeOf(this.entry(name)));
  }

  alterConnectorOffsets(name: string, offsets: ConnectorOffset[]): Promise<void> {
    return this.serial(async () => {
      const e = this.stoppedEntry(name);
      await alterConnectorOffsets(this.offsetsContext(), name, resolvedForPlugin(this.worker, e.config), this.typeOf(e), offsets);
    });
  }

  resetConnectorOffsets(name: string): Promise<void> {
    return this.serial(async () => {
      const e = this.stoppedEntry(name);
      await resetConnectorOffsets(this.offsetsContext(), name, resolvedForPlugin(this.worker, e.config), this.typeOf(e));
    });
  }

  private stoppedEntry(name: string): ConnectorEntry {
    const e = this.entry(name);
    if (e.targetState !== 'STOPPED' || this.worker.taskIds(name).length) throw badRequest(STOPPED_REQUIRED(name));
    return e;
  }

  private offsetsContext(): OffsetsContext {
    return { worker: this.worker, admin: this.admin, offsetStore: this.worker.offsetStore };
  }

  // ---- status listeners --------------------------------------------------------------------------------------

  private status(state: State, error?: Error): StatusEntry {
    const s: StatusEntry = { state, worker_id: this.worker.workerId };
    if (error) {
      s.trace = traceOf(error);
      s.failure = failureOf(error);
    }
    return s;
  }

  onStartup(nameOrId: string | ConnectorTaskId): void {
    this.setStatus(nameOrId, this.status('UNASSIGNED'));
  }
  onRunning(nameOrId: string | ConnectorTaskId): void {
    this.setStatus(nameOrId, this.status('RUNNING'));
  }
  onPause(nameOrId: string | ConnectorTaskId): void {
    this.setStatus(nameOrId, this.status('PAUSED'));
  }
  onStop(name: string): void {
    this.setStatus(name, this.status('STOPPED'));
  }
  onFailure(nameOrId: string | ConnectorTaskId, error: Error): void {
    this.setStatus(nameOrId, this.status('FAILED', error));
    if (typeof nameOrId !== 'string') this.autoRestarts.failed(nameOrId);
  }
  onShutdown(nameOrId: string | ConnectorTaskId): void {
    // A stopped instance keeps its last status until it is started again or deleted (Java shows UNASSIGNED).
    const key = typeof nameOrId === 'string' ? nameOrId : taskIdString(nameOrId);
    const cur = typeof nameOrId === 'string' ? this.connectorStatuses.get(key) : this.taskStatuses.get(key);
    if (cur && cur.state !== 'FAILED' && cur.state !== 'RESTARTING' && cur.state !== 'STOPPED') this.setStatus(nameOrId, this.status('UNASSIGNED'));
  }

  private setStatus(nameOrId: string | ConnectorTaskId, s: StatusEntry): void {
    if (typeof nameOrId === 'string') {
      if (this.entries.has(nameOrId)) this.connectorStatuses.set(nameOrId, s);
    } else if (this.entries.has(nameOrId.connector)) {
      this.taskStatuses.set(taskIdString(nameOrId), s);
    }
  }

  /** Topic tracking: called by the worker for each topic a connector's task used. */
  recordTopic(connector: string, topic: string): void {
    let s = this.topics.get(connector);
    if (!s) this.topics.set(connector, (s = new Set()));
    s.add(topic);
  }
}
