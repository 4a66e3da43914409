/**
 * The REST-facing entities of Connect (field names exactly as the Java worker's JSON) and the herder interface
 * the REST layer calls. Standalone and distributed herders implement the same interface.
 */
import type { ConfigKeyInfo } from '@kconnect/api';
import type { FailureInfo } from '../worker/failure';
import type { TargetState } from '../worker/task-executor';

export type ConnectorType = 'source' | 'sink' | 'unknown';
export type State = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';

export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: Array<{ connector: string; task: number }>;
  type: ConnectorType;
}

export interface StatusEntry {
  state: State;
  worker_id: string;
  trace?: string;
  /** kconnect: what failed, when (FAILED entries only; `docs/compatibility.md`). */
  failure?: FailureInfo;
  /** The plugin's version (Java 4.1, KIP-891). */
  version?: string;
}

export interface TaskStateInfo extends StatusEntry {
  id: number;
}

export interface ConnectorStateInfo {
  name: string;
  connector: StatusEntry;
  tasks: TaskStateInfo[];
  type: ConnectorType;
}

export interface ConfigValueInfo {
  name: string;
  value: string | null;
  recommended_values: string[];
  errors: string[];
  visible: boolean;
}

export interface ConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  /** `definition` is null for a key nothing defines that was sent with a null value (Java's answer). */
  configs: Array<{ definition: ConfigKeyInfo | null; value: ConfigValueInfo }>;
}

export interface PluginInfo {
  class: string;
  type: string;
  version: string;
}

export interface ConnectorOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown> | null;
}

export interface Herder {
  connectors(): string[];
  connectorInfo(name: string): ConnectorInfo;
  connectorConfig(name: string): Record<string, string>;
  /** Creates or replaces a connector; `created` tells which. */
  putConnectorConfig(
    name: string,
    config: Record<string, string>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<{ created: boolean; info: ConnectorInfo }>;
  patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo>;
  deleteConnector(name: string): Promise<void>;
  connectorStatus(name: string): ConnectorStateInfo;
  taskStatus(connector: string, task: number): TaskStateInfo;
  taskConfigs(name: string): Array<{ id: { connector: string; task: number }; config: Record<string, string> }>;
  /** Restarts per Connect's rules; returns the status to show (202) or null for a plain connector restart (204). */
  /** `forward` and `authorization` route a plain restart to the worker that runs the connector (distributed mode). */
  restartConnector(name: string, includeTasks: boolean, onlyFailed: boolean, forward?: boolean, authorization?: string): Promise<ConnectorStateInfo | null>;
  /**
   * `forward`: Java's query parameter of requests between workers (undefined for a user's request);
   * `authorization`: the user's `Authorization` header, sent on when the request is forwarded to another worker.
   */
  restartTask(connector: string, task: number, forward?: boolean, authorization?: string): Promise<void>;
  pauseConnector(name: string): Promise<void>;
  resumeConnector(name: string): Promise<void>;
  stopConnector(name: string): Promise<void>;
  connectorTopics(name: string): string[];
  resetConnectorTopics(name: string): void;
  connectorOffsets(name: string): Promise<ConnectorOffset[]>;
  alterConnectorOffsets(name: string, offsets: ConnectorOffset[]): Promise<void>;
  resetConnectorOffsets(name: string): Promise<void>;
  validateConnectorConfig(config: Record<string, string>): Promise<ConfigInfos>;
  plugins(connectorsOnly: boolean): PluginInfo[];
  /** `version`: a version or Maven range (KIP-891); not installed → 400. */
  pluginConfig(plugin: string, version?: string): ConfigKeyInfo[];
  /** Internal (distributed): task configs sent by the worker that runs the connector, signed; absent in standalone. */
  putTaskConfigs?(
    connector: string,
    configs: Array<Record<string, string>>,
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
  ): Promise<void>;
  /** Distributed: sets a logger's level on every worker of the cluster (`PUT /admin/loggers/{l}?scope=cluster`). */
  setClusterLoggerLevel?(namespace: string, level: string): Promise<void>;
  /**
   * Internal (exactly-once source support, `PUT /connectors/{c}/fence`): fences the previous generation of the
   * connector's task producers. Absent in standalone mode: the route then answers Java standalone's 500.
   */
  fenceZombieSourceTasks?(connector: string, headers: Record<string, string | string[] | undefined>, rawBody: string): Promise<void>;
  /** Distributed: throws Java's 400/403 for an internal request that is not signed with the session key. */
  verifyInternalRequest?(headers: Record<string, string | string[] | undefined>, rawBody: string): void;
  /** Kafka cluster id, for `GET /`. */
  kafkaClusterId(): string | null;
  /** True once the herder finished starting (health). */
  ready(): boolean;
  /** Resolves true once the herder has started (read its configs), false after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<boolean>;
  /** Resolves true when the herder can still process a request within `timeoutMs` (health). */
  responsive(timeoutMs: number): Promise<boolean>;
}
