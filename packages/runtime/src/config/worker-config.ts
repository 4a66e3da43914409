/**
 * The worker's configuration: Java Connect's keys and defaults (standalone and the common part of distributed),
 * parsed from a `.properties` file.
 */
import { ConfigDef, ConfigError, ConfigType, Importance, Validators } from '@kconnect/api';
import { consumerSettingErrors, type KafkaSettingError, producerSettingErrors } from '../kafka/settings';
import { type ConfigProvider, ConfigTransformer, createConfigProviders } from './config-providers';
import { CLIENT_CONFIG_OVERRIDE_POLICIES, type ClientConfigOverridePolicy, parseClientConfigOverridePolicy, policyClassName } from './client-override-policy';
import { withPrefix } from './properties';

/** The Kafka client libraries the worker can use (`kafka.client`). */
export const KAFKA_CLIENTS = ['platformatic', 'kafkajs'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

export const WORKER_CONFIG = new ConfigDef()
  .define({
    name: 'bootstrap.servers',
    type: ConfigType.LIST,
    default: 'localhost:9092',
    importance: Importance.HIGH,
    documentation: 'Kafka brokers to connect to (host:port list).',
  })
  .define({
    name: 'key.converter',
    type: ConfigType.CLASS,
    importance: Importance.HIGH,
    documentation: 'Converter class for record keys, e.g. org.apache.kafka.connect.json.JsonConverter.',
  })
  .define({ name: 'value.converter', type: ConfigType.CLASS, importance: Importance.HIGH, documentation: 'Converter class for record values.' })
  .define({
    name: 'header.converter',
    type: ConfigType.CLASS,
    default: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
    importance: Importance.LOW,
    documentation: 'Converter class for header values.',
  })
  .define({
    name: 'offset.storage.file.filename',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.HIGH,
    documentation: 'Standalone: file that stores source connector offsets (JSON, see docs/offsets.md). Empty keeps offsets in memory.',
  })
  .define({
    name: 'config.storage.file.filename',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.MEDIUM,
    documentation:
      'Standalone (kconnect extension): file that keeps connectors created over REST, their target states and task configs across restarts. Empty keeps them in memory as Java does.',
  })
  .define({
    name: 'offset.flush.interval.ms',
    type: ConfigType.LONG,
    default: 60000,
    importance: Importance.LOW,
    documentation: 'Interval at which to commit task offsets.',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'offset.flush.timeout.ms',
    type: ConfigType.LONG,
    default: 5000,
    importance: Importance.LOW,
    documentation: 'Maximum time to wait for records to be acknowledged and offsets committed before cancelling the commit.',
    validator: Validators.atLeast(0),
  })
  .define({
    name: 'task.shutdown.graceful.timeout.ms',
    type: ConfigType.LONG,
    default: 5000,
    importance: Importance.LOW,
    documentation: 'Time to wait for tasks to shut down gracefully.',
    validator: Validators.atLeast(0),
  })
  .define({
    name: 'listeners',
    type: ConfigType.LIST,
    default: 'http://:8083',
    importance: Importance.LOW,
    documentation: 'REST listeners, e.g. http://127.0.0.1:8083.',
  })
  .define({
    name: 'rest.advertised.host.name',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.LOW,
    documentation: 'Host name advertised to other workers and shown as worker_id.',
  })
  .define({
    name: 'rest.advertised.port',
    type: ConfigType.INT,
    default: null,
    importance: Importance.LOW,
    documentation: 'Port advertised to other workers and shown in worker_id.',
  })
  .define({
    name: 'rest.advertised.listener',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.LOW,
    documentation: 'Protocol advertised (http or https).',
  })
  .define({
    name: 'rest.secrets.visible',
    type: ConfigType.BOOLEAN,
    default: false,
    importance: Importance.LOW,
    documentation:
      "Show connector secrets (PASSWORD keys and keys the plugins declare sensitive) in clear in REST answers, as Java's worker does. By default they are shown as [hidden] (docs/security.md).",
  })
  .define({
    name: 'admin.listeners',
    type: ConfigType.LIST,
    default: null,
    importance: Importance.LOW,
    documentation: 'Listeners for /admin endpoints; null = the main listeners, empty = disabled.',
  })
  .define({
    name: 'plugin.path',
    type: ConfigType.LIST,
    default: '',
    importance: Importance.LOW,
    documentation: 'Folders holding plugin packages (each a folder with a package.json whose main module exports `plugins`).',
  })
  .define({
    name: 'topic.tracking.enable',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.LOW,
    documentation: 'Track the topics each connector uses (/connectors/{name}/topics).',
  })
  .define({
    name: 'topic.tracking.allow.reset',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.LOW,
    documentation: 'Allow resetting tracked topics over REST.',
  })
  .define({
    name: 'topic.creation.enable',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.LOW,
    documentation: 'Let source connectors create their topics with topic.creation.* settings.',
  })
  .define({
    name: 'access.control.allow.origin',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.LOW,
    documentation: 'CORS Access-Control-Allow-Origin value; empty disables CORS.',
  })
  .define({
    name: 'access.control.allow.methods',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.LOW,
    documentation: 'CORS Access-Control-Allow-Methods value.',
  })
  .define({
    name: 'errors.restart.max.retries',
    type: ConfigType.INT,
    default: 0,
    importance: Importance.LOW,
    documentation: 'kconnect extension: how many times a FAILED task is restarted automatically (with exponential backoff); 0 = never, as Java.',
  })
  .define({
    name: 'errors.restart.backoff.ms',
    type: ConfigType.LONG,
    default: 1000,
    importance: Importance.LOW,
    documentation: 'kconnect extension: first automatic-restart delay; doubles up to 60 s.',
  })
  .define({
    name: 'kafka.client',
    type: ConfigType.STRING,
    default: 'platformatic',
    importance: Importance.MEDIUM,
    documentation:
      'kconnect extension: which Kafka client library the worker uses: platformatic (@platformatic/kafka, the default) or kafkajs. See docs/kafka-client.md.',
    validator: Validators.in(KAFKA_CLIENTS),
  })
  .define({
    name: 'connector.client.config.override.policy',
    type: ConfigType.STRING,
    default: 'All',
    importance: Importance.MEDIUM,
    documentation:
      'Which Kafka client settings connector configs may override with producer.override.*, consumer.override.* and admin.override.* keys: All (any), None (none), Principal (sasl.jaas.config, sasl.mechanism and security.protocol) or Allowlist (the keys of connector.client.config.override.allowlist). Java class names of the policies are accepted too.',
    validator: Validators.of(
      (v) =>
        parseClientConfigOverridePolicy(String(v))
          ? undefined
          : `Failed to find any class that implements ConnectorClientConfigOverridePolicy and which name matches ${String(v)}; use one of ${CLIENT_CONFIG_OVERRIDE_POLICIES.join(', ')} (or ${policyClassName('All')} etc.)`,
      `[${CLIENT_CONFIG_OVERRIDE_POLICIES.join(', ')}]`,
    ),
  })
  .define({
    name: 'config.providers',
    type: ConfigType.LIST,
    default: '',
    importance: Importance.LOW,
    documentation:
      'Comma-separated aliases of config providers, each configured with config.providers.<alias>.class (org.apache.kafka.common.config.provider.FileConfigProvider, DirectoryConfigProvider or EnvVarConfigProvider) and config.providers.<alias>.param.* (e.g. allowed.paths, allowlist.pattern). Placeholders ${alias:path:key} in connector configs are resolved when connectors and tasks start; see docs/config-providers.md.',
  })
  .define({
    name: 'connector.client.config.override.allowlist',
    type: ConfigType.LIST,
    default: '',
    importance: Importance.MEDIUM,
    documentation:
      'With connector.client.config.override.policy=Allowlist: the client settings (without prefix, e.g. linger.ms) connectors may override. If empty, connectors cannot override any client setting.',
  });

export interface WorkerConfig {
  readonly props: Record<string, string>;
  readonly bootstrapServers: string[];
  readonly keyConverter: string;
  readonly valueConverter: string;
  readonly headerConverter: string;
  readonly offsetFile: string;
  readonly configFile: string;
  readonly offsetFlushIntervalMs: number;
  readonly offsetFlushTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly listeners: string[];
  readonly advertisedHost: string | null;
  readonly advertisedPort: number | null;
  readonly advertisedListener: string | null;
  /** `rest.secrets.visible`: REST answers show connector secrets in clear (Java's behaviour). */
  readonly restSecretsVisible: boolean;
  readonly adminListeners: string[] | null;
  readonly pluginPath: string[];
  readonly topicTracking: boolean;
  readonly topicTrackingAllowReset: boolean;
  readonly allowOrigin: string;
  readonly allowMethods: string;
  readonly restartMaxRetries: number;
  readonly restartBackoffMs: number;
  /** `kafka.client`: the Kafka client library to use. */
  readonly kafkaClient: KafkaClientName;
  /** `connector.client.config.override.policy`, as its alias. */
  readonly clientConfigOverridePolicy: ClientConfigOverridePolicy;
  /** `connector.client.config.override.allowlist` (read by the `Allowlist` policy). */
  readonly clientConfigOverrideAllowlist: string[];
  /** `producer.*`, `consumer.*`, `admin.*` settings with the prefix removed (`admin.listeners` is the worker's own). */
  readonly producer: Record<string, string>;
  readonly consumer: Record<string, string>;
  readonly admin: Record<string, string>;
  /** `config.providers`: the providers by alias (empty when none), used to resolve connector config placeholders. */
  readonly configProviders: ReadonlyMap<string, ConfigProvider>;
  /** Resolves placeholders with {@link configProviders}. */
  readonly configTransformer: ConfigTransformer;
}

/**
 * Parses and validates worker properties, the `producer.*` and `consumer.*` client settings included; throws a
 * ConfigError listing every problem (a {@link KafkaSettingError} naming e.g. `producer.linger.ms` when that is the
 * only one).
 */
export function parseWorkerConfig(rawProps: Record<string, string>): WorkerConfig {
  // As Java's AbstractConfig: the worker config's own placeholders are resolved with the providers it configures
  // (as Java: a missing key stays as written, a file that cannot be read fails the start), before anything reads it.
  const configProviders = createConfigProviders(rawProps);
  const configTransformer = new ConfigTransformer(configProviders);
  const props = configProviders.size ? resolveWorkerProps(rawProps, configTransformer) : rawProps;
  const errors: Error[] = [];
  let p: ReturnType<typeof WORKER_CONFIG.parse> | undefined;
  try {
    p = WORKER_CONFIG.parse(props);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    errors.push(e);
  }
  const producer = withPrefix(props, 'producer.');
  const consumer = withPrefix(props, 'consumer.');
  const admin = withPrefix(props, 'admin.');
  delete admin.listeners;
  const settingErrors: KafkaSettingError[] = [
    ...producerSettingErrors(producer).map((e) => e.prefixed('producer.')),
    ...consumerSettingErrors(consumer).map((e) => e.prefixed('consumer.')),
  ];
  errors.push(...settingErrors);
  if (errors.length === 1) throw errors[0];
  if (errors.length) throw new ConfigError(errors.map((e) => e.message).join('\n'));
  p = p!;
  return {
    props,
    bootstrapServers: p['bootstrap.servers'],
    keyConverter: p['key.converter'],
    valueConverter: p['value.converter'],
    headerConverter: p['header.converter'],
    offsetFile: p['offset.storage.file.filename'],
    configFile: p['config.storage.file.filename'],
    offsetFlushIntervalMs: p['offset.flush.interval.ms'],
    offsetFlushTimeoutMs: p['offset.flush.timeout.ms'],
    shutdownTimeoutMs: p['task.shutdown.graceful.timeout.ms'],
    listeners: p.listeners,
    advertisedHost: p['rest.advertised.host.name'],
    advertisedPort: p['rest.advertised.port'],
    advertisedListener: p['rest.advertised.listener'],
    restSecretsVisible: p['rest.secrets.visible'],
    adminListeners: p['admin.listeners'],
    pluginPath: p['plugin.path'],
    topicTracking: p['topic.tracking.enable'],
    topicTrackingAllowReset: p['topic.tracking.allow.reset'],
    allowOrigin: p['access.control.allow.origin'],
    allowMethods: p['access.control.allow.methods'],
    restartMaxRetries: p['errors.restart.max.retries'],
    restartBackoffMs: p['errors.restart.backoff.ms'],
    kafkaClient: p['kafka.client'] as KafkaClientName,
    clientConfigOverridePolicy: parseClientConfigOverridePolicy(p['connector.client.config.override.policy'])!,
    clientConfigOverrideAllowlist: p['connector.client.config.override.allowlist'],
    producer,
    consumer,
    admin,
    configProviders,
    configTransformer,
  };
}

/** The worker props with placeholders resolved, except the providers' own settings. */
function resolveWorkerProps(props: Record<string, string>, transformer: ConfigTransformer): Record<string, string> {
  const own: Record<string, string> = {};
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    if (k === 'config.providers' || k.startsWith('config.providers.')) own[k] = v;
    else rest[k] = v;
  }
  return { ...transformer.transform(rest, { mode: 'java', what: 'worker config' }), ...own };
}
