/**
 * The worker: instantiates connectors and tasks from configs and runs them. It knows nothing of REST or of how
 * configs are stored; the herder tells it what to run and receives status changes through listeners.
 */
import type { Connector, ConnectorProps, SinkRecord, SinkTask, SourceRecord, SourceTask } from '@kconnect/api';
import { ConfigError } from '@kconnect/api';
import { allowedClientOverrides } from '../config/client-override-policy';
import { reverseTransform } from '../config/config-providers';
import type { WorkerConfig } from '../config/worker-config';
import type { KafkaAdmin, KafkaClient } from '../kafka/client';
import type { LoggerRegistry } from '../logging';
import { pluginMetrics, type WorkerMetrics } from '../metrics/metrics';
import type { PluginRegistry } from '../plugins/registry';
import type { OffsetStore } from '../storage/offset-store';
import { DeadLetterQueueReporter, sourceRecordSerializer } from './dlq';
import { ErrorHandler, type ErrorReporter, LogReporter } from './error-handler';
import { atStage, staged } from './failure';
import { createConverters, createTransformChain } from './plugins';
import { SinkTaskExecutor } from './sink-executor';
import { SourceTaskExecutor } from './source-executor';
import { type ConnectorTaskId, type TargetState, type TaskExecutor, type TaskStatusListener, taskIdString } from './task-executor';

export interface ConnectorStatusListener {
  onStartup(connector: string): void;
  onRunning(connector: string): void;
  onPause(connector: string): void;
  onStop(connector: string): void;
  onFailure(connector: string, error: Error): void;
  onShutdown(connector: string): void;
  /** The connector asked for its task configs to be regenerated. */
  onTaskReconfigurationRequest(connector: string): void;
}

interface RunningConnector {
  name: string;
  instance: Connector;
  type: 'source' | 'sink';
  /** The connector plugin's class name (`connector.class` resolved). */
  className: string;
  /** The config as stored (placeholders unresolved). */
  config: ConnectorProps;
  started: boolean;
  /** start() was called (it may have failed): stop() is owed. */
  startCalled: boolean;
}

export class Worker {
  private readonly connectors = new Map<string, RunningConnector>();
  private readonly tasks = new Map<string, TaskExecutor>();
  /** One admin client for the sink tasks' lag measurements, made on first use. */
  private lagAdmin: Promise<KafkaAdmin> | null = null;
  /** The states of this worker's tasks, for the connector_task_count metric. */
  private readonly taskStates = new Map<string, { connector: string; state: string }>();

  constructor(
    readonly workerId: string,
    readonly config: WorkerConfig,
    readonly registry: PluginRegistry,
    readonly kafka: KafkaClient,
    readonly offsetStore: OffsetStore,
    readonly loggers: LoggerRegistry,
    readonly metrics: WorkerMetrics,
    private readonly onTopic: (connector: string, topic: string) => void,
  ) {}

  /**
   * The offset store of a source connector: the worker's, unless the mode gives connectors their own (the
   * distributed worker honours a connector's `offsets.storage.topic`, KIP-618).
   */
  offsetStoreFor: (connectorConfig: Record<string, string>) => Promise<OffsetStore> = async () => this.offsetStore;

  /** A fresh, unstarted instance of a connector class (for validation and type lookups). */
  newConnector(className: string, version?: string | null): { instance: Connector; type: 'source' | 'sink'; className: string } {
    // `connector.plugin.version` (KIP-891) picks one of several installed versions; a version that is not installed throws.
    const d = this.registry.resolveVersion(className, ['source', 'sink'], version);
    // A ConfigError: the user's 400 when a REST request names the class (as Java 4.1 answers).
    if (!d)
      throw new ConfigError(
        `Failed to find any class that implements Connector and which name matches ${className}, available connectors are: ${this.registry
          .list(['source', 'sink'])
          .map((p) => this.registry.describe(p))
          .join(', ')}`,
      );
    return { instance: d.create(), type: d.type, className: d.className };
  }

  /**
   * A connector or task config with its config provider placeholders resolved (strict: an unresolvable one throws a
   * ConfigResolutionError naming it). Configs are resolved here, each time something starts, and nowhere else: the
   * herder stores and shows them raw, and a restart reads the provider's source again.
   */
  resolveConfig(config: ConnectorProps, what: string): ConnectorProps {
    return this.config.configTransformer.transform(config, { mode: 'strict', what });
  }

  /** Starts a connector instance (not its tasks) in the given target state. Failures go to the listener. */
  async startConnector(name: string, config: ConnectorProps, targetState: TargetState, listener: ConnectorStatusListener): Promise<boolean> {
    const log = this.loggers.get('kconnect.worker.connector', { connector: name });
    listener.onStartup(name);
    let running: RunningConnector | undefined;
    try {
      const { instance, type, className } = this.newConnector(config['connector.class'] ?? '', config['connector.plugin.version']);
      running = { name, instance, type, className, config, started: false, startCalled: false };
      this.connectors.set(name, running);
      instance.initialize({
        logger: this.loggers.get(`kconnect.plugin.${instance.constructor.name}`, { connector: name }),
        metrics: pluginMetrics(this.metrics.registry, { connector: name }),
        requestTaskReconfiguration: () => listener.onTaskReconfigurationRequest(name),
        raiseError: (e) => listener.onFailure(name, atStage(e, 'CONNECTOR_RAISED')),
      });
      if (targetState === 'STOPPED') {
        listener.onStop(name);
        return true;
      }
      const resolved = this.resolveConfig(config, 'connector config');
      running.startCalled = true;
      await instance.start(resolved);
      running.started = true;
      this.metrics.connectorStartupSuccess.inc();
      if (targetState === 'PAUSED') listener.onPause(name);
      else listener.onRunning(name);
      log.info(`Finished creating connector ${name}`);
      return true;
    } catch (e) {
      this.metrics.connectorStartupFailure.inc();
      log.error({ err: e }, `Failed to start connector ${name}`);
      listener.onFailure(name, atStage(e, 'CONNECTOR_START'));
      return false;
    } finally {
      this.metrics.connectorCount.set(this.connectors.size);
    }
  }

  isRunning(name: string): boolean {
    return this.connectors.get(name)?.started ?? false;
  }

  connectorType(name: string): 'source' | 'sink' | undefined {
    return this.connectors.get(name)?.type;
  }

  /** Task configs from a started connector, each with `task.class` added as Java does. */
  async taskConfigs(name: string, maxTasks: number): Promise<ConnectorProps[]> {
    const c = this.connectors.get(name);
    if (!c?.started) return [];
    const configs = await staged('CONNECTOR_TASK_CONFIGS', () => c.instance.taskConfigs(maxTasks));
    // tasks.max.enforce=false (deprecated in Java, still honoured there) lets a connector run more tasks than tasks.max.
    if (
      configs.length > maxTasks &&
      String(c.config['tasks.max.enforce'] ?? 'true')
        .trim()
        .toLowerCase() !== 'false'
    ) {
      throw atStage(
        new Error(
          `The connector ${name} has generated ${configs.length} tasks, which is greater than ${maxTasks}, the maximum number of tasks it is configured to create.`,
        ),
        'CONNECTOR_TASK_CONFIGS',
      );
    }
    // Java's `task.class` is the task's full class name: the task class in the connector class's package.
    const pkg = c.className.includes('.') ? c.className.slice(0, c.className.lastIndexOf('.') + 1) : '';
    const taskClass = pkg + c.instance.taskClass().name;
    // As Java (AbstractHerder.reverseTransform): keys whose connector value is a placeholder hold the placeholder
    // again, so task configs are stored and shown unresolved; each task resolves them when it starts.
    return reverseTransform(
      c.config,
      configs.map((t) => ({ ...t, 'task.class': taskClass })),
    );
  }

  async stopConnector(name: string, listener?: ConnectorStatusListener): Promise<void> {
    const c = this.connectors.get(name);
    // Tasks that failed before they had an executor leave the task-state metric with their connector.
    for (const [key, t] of this.taskStates)
      if (t.connector === name && !this.tasks.has(key)) this.trackTaskState({ connector: name, task: Number(key.slice(name.length + 1)) }, undefined);
    if (!c) return;
    this.connectors.delete(name);
    this.metrics.connectorCount.set(this.connectors.size);
    // stop() is called after a failed start() too, so the connector can release what it acquired.
    if (c.startCalled) {
      try {
        await c.instance.stop();
      } catch (e) {
        this.loggers.get('kconnect.worker.connector', { connector: name }).warn({ err: e }, 'error stopping connector');
      }
    }
    listener?.onShutdown(name);
  }

  setConnectorTargetState(name: string, state: TargetState, listener: ConnectorStatusListener): void {
    const c = this.connectors.get(name);
    if (!c?.started) return;
    if (state === 'PAUSED') listener.onPause(name);
    else if (state === 'STARTED') listener.onRunning(name);
  }

  /**
   * Builds and starts a task executor. Failures go to the listener (status FAILED). Everything that can fail
   * without I/O is built first; Kafka clients last, and closed again if anything after them fails.
   */
  async startTask(
    id: ConnectorTaskId,
    rawConnectorConfig: ConnectorProps,
    rawTaskConfig: ConnectorProps,
    targetState: TargetState,
    listener: TaskStatusListener,
  ): Promise<void> {
    const key = taskIdString(id);
    const log = this.loggers.get('kconnect.worker.task', { connector: id.connector, task: id.task });
    const clients: Array<{ close(): Promise<void> }> = [];
    let executor: TaskExecutor | undefined;
    // Status reports count only while this executor is the task's current one: a stale instance that was
    // abandoned during a restart cannot overwrite its successor's status.
    const current = () => executor !== undefined && this.tasks.get(key) === executor;
    const report = (state: string | undefined, fn: () => void) => {
      if (!current()) return;
      this.trackTaskState(id, state);
      fn();
    };
    const guarded: TaskStatusListener = {
      onStartup: (t) => report('UNASSIGNED', () => listener.onStartup(t)),
      onRunning: (t) => report('RUNNING', () => listener.onRunning(t)),
      onPause: (t) => report('PAUSED', () => listener.onPause(t)),
      onFailure: (t, e) => report('FAILED', () => listener.onFailure(t, e)),
      onShutdown: (t) => report(undefined, () => listener.onShutdown(t)),
    };
    try {
      if (this.tasks.has(key)) throw new Error(`Task already exists in this worker: ${key}`);
      const connectorConfig = this.resolveConfig(rawConnectorConfig, 'connector config');
      const taskConfig = this.resolveConfig(rawTaskConfig, `task config of ${key}`);
      const { instance, type } = this.newConnector(connectorConfig['connector.class'] ?? '', connectorConfig['connector.plugin.version']);
      const taskClass = instance.taskClass();
      const task = new taskClass();
      const converters = createConverters(this.registry, connectorConfig, this.config);
      const errorConfig = {
        retryTimeoutMs: Number(connectorConfig['errors.retry.timeout'] ?? 0),
        retryDelayMaxMs: Number(connectorConfig['errors.retry.delay.max.ms'] ?? 60000),
        toleranceAll: (connectorConfig['errors.tolerance'] ?? 'none').toLowerCase() === 'all',
      };
      const reporters: ErrorReporter[] = [];
      if (connectorConfig['errors.log.enable'] === 'true') {
        reporters.push(new LogReporter(log, id.connector, connectorConfig['errors.log.include.messages'] === 'true'));
      }
      const labels = { connector: id.connector, task: String(id.task) };
      const errorHandler = new ErrorHandler(errorConfig, reporters, log, () => this.metrics.recordsSkipped.inc(labels));
      const common = {
        offsetFlushIntervalMs: this.config.offsetFlushIntervalMs,
        metrics: this.metrics,
        onTopic: (t: string) => this.onTopic(id.connector, t),
        pluginLogger: this.loggers.get(`kconnect.plugin.${taskClass.name}`, { connector: id.connector, task: id.task }),
        pluginMetrics: pluginMetrics(this.metrics.registry, { connector: id.connector, task: String(id.task) }),
        taskConfig,
        converters,
        errorHandler,
      };
      // The worker's `producer.*`/`consumer.*` settings under the connector's overrides the policy allows.
      const clientSettings = (client: 'producer' | 'consumer' | 'admin') => ({
        ...this.config[client],
        ...allowedClientOverrides(this.config.clientConfigOverridePolicy, this.config.clientConfigOverrideAllowlist, client, connectorConfig),
      });
      const track = <C extends { close(): Promise<void> }>(c: C): C => {
        clients.push(c);
        return c;
      };
      // The dead letter queue: Java's for sinks, and (kconnect extension) for sources, with one reporter for both.
      const dlqTopic = (connectorConfig['errors.deadletterqueue.topic.name'] ?? '').trim();
      if (dlqTopic) {
        const producer = track(await this.kafka.producer({ clientId: `connector-dlq-producer-${key}`, settings: clientSettings('producer') }));
        const admin = track(await this.kafka.admin({ settings: clientSettings('admin') }));
        errorHandler.onClose(async () => {
          await Promise.all([producer.close(), admin.close()]);
        });
        const dlq = new DeadLetterQueueReporter(
          producer,
          admin,
          dlqTopic,
          Number(connectorConfig['errors.deadletterqueue.topic.replication.factor'] ?? 3),
          connectorConfig['errors.deadletterqueue.context.headers.enable'] === 'true',
          id.connector,
          id.task,
          type === 'source' ? sourceRecordSerializer(converters) : undefined,
        );
        reporters.push({
          report: async (ctx) => {
            await dlq.report(ctx);
            this.metrics.dlqProduceRequests.inc(labels);
          },
        });
      }
      if (type === 'source') {
        const transforms = createTransformChain<SourceRecord>(this.registry, connectorConfig);
        const producer = track(
          await this.kafka.producer({
            clientId: `connector-producer-${key}`,
            settings: clientSettings('producer'),
          }),
        );
        executor = new SourceTaskExecutor(id, targetState, guarded, log, {
          ...common,
          task: task as SourceTask,
          transforms,
          producer,
          offsetStore: await this.offsetStoreFor(connectorConfig),
          offsetFlushTimeoutMs: this.config.offsetFlushTimeoutMs,
        });
      } else {
        const transforms = createTransformChain<SinkRecord>(this.registry, connectorConfig);
        const topics = (connectorConfig.topics ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const regex = (connectorConfig['topics.regex'] ?? '').trim();
        const consumer = track(
          await this.kafka.consumer({
            clientId: `connector-consumer-${key}`,
            groupId: `connect-${id.connector}`,
            settings: clientSettings('consumer'),
          }),
        );
        executor = new SinkTaskExecutor(id, targetState, guarded, log, {
          ...common,
          task: task as SinkTask,
          transforms,
          consumer,
          // Java matches topics.regex against whole topic names.
          subscription: regex ? new RegExp(`^(?:${regex})$`) : topics,
          hasErrorReporting: reporters.length > 0 || errorConfig.toleranceAll,
          endOffset: async (topic, partition) => {
            this.lagAdmin ??= this.kafka.admin();
            this.lagAdmin.catch(() => (this.lagAdmin = null));
            return (await this.lagAdmin).highWatermark(topic, partition);
          },
        });
      }
      this.tasks.set(key, executor);
      this.metrics.taskCount.set(this.tasks.size);
      executor.start();
      this.metrics.taskStartupSuccess.inc();
    } catch (e) {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      this.metrics.taskStartupFailure.inc();
      log.error({ err: e }, `Failed to start task ${key}`);
      if (!this.tasks.has(key)) this.trackTaskState(id, 'FAILED');
      listener.onFailure(id, atStage(e, 'TASK_CREATE'));
    }
  }

  /** Stops tasks in parallel, each bounded by `task.shutdown.graceful.timeout.ms`. */
  async stopTasks(ids: ConnectorTaskId[]): Promise<void> {
    await Promise.all(
      ids.map(async (id) => {
        const key = taskIdString(id);
        const t = this.tasks.get(key);
        this.trackTaskState(id, undefined);
        if (!t) return;
        this.tasks.delete(key);
        await t.stop(this.config.shutdownTimeoutMs);
      }),
    );
    this.metrics.taskCount.set(this.tasks.size);
  }

  taskIds(connector: string): ConnectorTaskId[] {
    return [...this.tasks.values()].filter((t) => t.id.connector === connector).map((t) => t.id);
  }

  setTaskTargetState(connector: string, state: TargetState): void {
    for (const t of this.tasks.values()) if (t.id.connector === connector) t.transitionTo(state);
  }

  async stop(): Promise<void> {
    await this.stopTasks([...this.tasks.values()].map((t) => t.id));
    await Promise.all([...this.connectors.keys()].map((n) => this.stopConnector(n)));
    const admin = this.lagAdmin;
    this.lagAdmin = null;
    await admin?.then((a) => a.close()).catch(() => undefined);
  }

  /** Records a task's state (undefined: gone from this worker) and updates its connector's connector_task_count. */
  private trackTaskState(id: ConnectorTaskId, state: string | undefined): void {
    const key = taskIdString(id);
    if (state) this.taskStates.set(key, { connector: id.connector, state });
    else this.taskStates.delete(key);
    const counts: Record<string, number> = { RUNNING: 0, PAUSED: 0, FAILED: 0, UNASSIGNED: 0, RESTARTING: 0 };
    for (const t of this.taskStates.values()) if (t.connector === id.connector) counts[t.state] = (counts[t.state] ?? 0) + 1;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    for (const [s, n] of Object.entries(counts)) {
      if (total) this.metrics.connectorTaskStates.set({ connector: id.connector, state: s }, n);
      else this.metrics.connectorTaskStates.remove({ connector: id.connector, state: s });
    }
  }
}
