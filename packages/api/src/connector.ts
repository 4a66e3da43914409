/**
 * Connectors: the plugin-side entry point. A connector validates its configuration, splits the work into task
 * configs and watches the external system for changes; the tasks move the data.
 *
 * Lifecycle (driven by the runtime, one call at a time, never concurrently for one instance):
 * `new` → {@link Connector.initialize} → {@link Connector.start} → {@link Connector.taskConfigs} (again after
 * every {@link ConnectorContext.requestTaskReconfiguration}) → {@link Connector.stop}. A paused connector keeps
 * running (only its tasks pause); a STOPPED connector is stopped and has no tasks. `config()` and `validate()` may
 * be called on an instance that was never started.
 */
import type { ConfigDef, ConfigValue } from './config';
import type { PluginLogger } from './logger';
import type { PluginMetrics } from './metrics';
import type { OffsetMap, TopicPartition } from './records';
import type { SinkTask, SourceTask } from './task';

/** What a connector can ask of the runtime. */
export interface ConnectorContext {
  /** Logger bound to this connector (`kconnect.plugin.<class>` in `/admin/loggers`). */
  readonly logger: PluginLogger;
  /** Metrics published on the worker's `/metrics`, labelled with this connector. */
  readonly metrics: PluginMetrics;
  /** Ask the runtime to call `taskConfigs()` again and reconfigure the tasks (e.g. the source's tables changed). */
  requestTaskReconfiguration(): void;
  /** Fail the connector with this error (status FAILED with its trace); for errors seen outside a runtime call. */
  raiseError(error: Error): void;
}

/** Connector configuration as given by the user: string keys and (raw) string values. */
export type ConnectorProps = Record<string, string>;

export abstract class Connector {
  protected context!: ConnectorContext;

  /** Called once, before {@link start}. */
  initialize(context: ConnectorContext): void {
    this.context = context;
  }
  /** The plugin version shown by `/connector-plugins`. */
  abstract version(): string;
  /** Start with the validated configuration. Throwing fails the connector. */
  abstract start(props: ConnectorProps): void | Promise<void>;
  /** The task constructor this connector's task configs are for. */
  abstract taskClass(): new () => SourceTask | SinkTask;
  /** At most `maxTasks` task configurations; each becomes one task. */
  abstract taskConfigs(maxTasks: number): ConnectorProps[] | Promise<ConnectorProps[]>;
  /** Release everything `start` acquired. Called once, also after a failed start. */
  abstract stop(): void | Promise<void>;
  /** The definition of this connector's own config keys (the framework's common keys are added by the runtime). */
  abstract config(): ConfigDef;
  /**
   * Validates a configuration: per key, the parsed value and its errors. Override to add checks against the
   * external system (a missing table, a bad credential); the default checks the {@link config} definition.
   */
  validate(props: ConnectorProps): ConfigValue[] | Promise<ConfigValue[]> {
    return this.config().validate(props);
  }
}

/** A connector whose tasks read an external system and produce to Kafka. */
export abstract class SourceConnector extends Connector {
  abstract override taskClass(): new () => SourceTask;
  /**
   * Called before the runtime changes this connector's offsets through the REST API (the connector is STOPPED).
   * Return true when the connector accepts them, throw to reject with a message for the user. Default: true.
   */
  alterOffsets(_props: ConnectorProps, _offsets: ReadonlyMap<OffsetMap, OffsetMap | null>): boolean | Promise<boolean> {
    return true;
  }
}

/** A connector whose tasks consume Kafka topics and write to an external system. */
export abstract class SinkConnector extends Connector {
  abstract override taskClass(): new () => SinkTask;
  /** As {@link SourceConnector.alterOffsets}, for consumer offsets (null = reset). */
  alterOffsets(_props: ConnectorProps, _offsets: ReadonlyMap<TopicPartition, number | null>): boolean | Promise<boolean> {
    return true;
  }
}
