/**
 * The MQTT source's configuration: one ConfigDef for the static keys, plus named routes
 * (`mqtt.routes=a,b` with `mqtt.route.<name>.filter|qos|kafka.topic`) parsed and validated here too.
 * Key names follow Confluent's MQTT source where the feature exists there (`mqtt.server.uri`, `mqtt.topics`,
 * `kafka.topic`, `mqtt.qos`, `mqtt.username`, `mqtt.password`, `mqtt.clean.session.enabled`,
 * `mqtt.keepalive.interval.seconds`, `mqtt.connect.timeout.seconds`, `mqtt.client.id`).
 */
import { readFileSync } from 'node:fs';
import { ConfigDef, ConfigError, ConfigType, Importance, Password, Validators, type ConfigValue, type ConnectorProps } from '@kconnect/api';
import { filterProblem, parseShared, templateProblem, type Route } from './routing';

export const G_CONN = 'Connection';
export const G_SEC = 'Security';
export const G_SUB = 'Subscriptions and routing';
export const G_REC = 'Records';
export const G_FLOW = 'Flow control and errors';

/** Internal key the connector adds to every task config: the task's index. */
export const TASK_INDEX = 'mqtt.task.index';

const uriOk = Validators.of((v) => {
  if (!Array.isArray(v) || v.length === 0) return 'at least one broker URI is required';
  const bad = v.find((u) => !/^(tcp|mqtt|ssl|mqtts|ws|wss):\/\/[^/]+/.test(String(u)));
  return bad === undefined ? undefined : `${bad} is not tcp://, ssl://, mqtt://, mqtts://, ws:// or wss://host:port`;
});
const qosOk = Validators.between(0, 2);

export const CONFIG_DEF = new ConfigDef()
  .define({
    name: 'mqtt.server.uri',
    type: ConfigType.LIST,
    importance: Importance.HIGH,
    group: G_CONN,
    orderInGroup: 1,
    validator: uriOk,
    documentation:
      'Broker URIs, e.g. tcp://host:1883 or ssl://host:8883 (mqtt://, mqtts://, ws://, wss:// too). With several, the client connects to the first and moves to the next one on every reconnect.',
  })
  .define({
    name: 'mqtt.version',
    type: ConfigType.STRING,
    default: '5',
    importance: Importance.MEDIUM,
    group: G_CONN,
    orderInGroup: 2,
    validator: Validators.in(['3.1.1', '5']),
    recommendedValues: ['3.1.1', '5'],
    documentation: 'MQTT protocol version: 3.1.1 or 5.',
  })
  .define({
    name: 'mqtt.client.id',
    type: ConfigType.STRING,
    default: 'kconnect-${connector}-${task}',
    importance: Importance.HIGH,
    group: G_CONN,
    orderInGroup: 3,
    validator: Validators.nonEmptyString(),
    documentation:
      'Client id template, rendered per task: ${connector} (connector name), ${task} (task index), ${hostname}. Keep it stable: the broker keeps a persistent session per client id.',
  })
  .define({
    name: 'mqtt.clean.session.enabled',
    type: ConfigType.BOOLEAN,
    default: false,
    importance: Importance.HIGH,
    group: G_CONN,
    orderInGroup: 4,
    documentation:
      'Start a clean session (3.1.1 clean session, 5 clean start). false (default) keeps a persistent session, so the broker stores QoS 1/2 messages while the connector is down and redelivers what was not acknowledged.',
  })
  .define({
    name: 'mqtt.session.expiry.interval.seconds',
    type: ConfigType.LONG,
    default: 604800,
    importance: Importance.MEDIUM,
    group: G_CONN,
    orderInGroup: 5,
    validator: Validators.between(0, 4294967295),
    documentation: 'MQTT 5 only: how long the broker keeps the session after a disconnect (4294967295 = never expires).',
  })
  .define({
    name: 'mqtt.keepalive.interval.seconds',
    type: ConfigType.INT,
    default: 60,
    importance: Importance.LOW,
    group: G_CONN,
    orderInGroup: 6,
    validator: Validators.between(0, 65535),
    documentation: 'Keepalive interval in seconds (0 disables).',
  })
  .define({
    name: 'mqtt.connect.timeout.seconds',
    type: ConfigType.INT,
    default: 30,
    importance: Importance.LOW,
    group: G_CONN,
    orderInGroup: 7,
    validator: Validators.atLeast(1),
    documentation: 'How long to wait for CONNACK.',
  })
  .define({
    name: 'mqtt.reconnect.backoff.ms',
    type: ConfigType.INT,
    default: 1000,
    importance: Importance.LOW,
    group: G_CONN,
    orderInGroup: 8,
    validator: Validators.atLeast(1),
    documentation: 'Wait between reconnect attempts. Subscriptions are restored after a reconnect when the broker has no session.',
  })
  .define({
    name: 'mqtt.username',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    group: G_SEC,
    orderInGroup: 1,
    documentation: 'User name.',
  })
  .define({
    name: 'mqtt.password',
    type: ConfigType.PASSWORD,
    default: null,
    importance: Importance.MEDIUM,
    group: G_SEC,
    orderInGroup: 2,
    documentation: 'Password.',
  })
  .define({
    name: 'mqtt.ssl.ca.file',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    group: G_SEC,
    orderInGroup: 3,
    documentation: 'PEM file with the CA certificate(s) that signed the broker certificate (default: the system CAs).',
  })
  .define({
    name: 'mqtt.ssl.cert.file',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    group: G_SEC,
    orderInGroup: 4,
    documentation: 'PEM client certificate for mutual TLS.',
  })
  .define({
    name: 'mqtt.ssl.key.file',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    group: G_SEC,
    orderInGroup: 5,
    documentation: 'PEM private key of the client certificate.',
  })
  .define({
    name: 'mqtt.ssl.key.password',
    type: ConfigType.PASSWORD,
    default: null,
    importance: Importance.LOW,
    group: G_SEC,
    orderInGroup: 6,
    documentation: 'Passphrase of the private key.',
  })
  .define({
    name: 'mqtt.ssl.verify.enabled',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.LOW,
    group: G_SEC,
    orderInGroup: 7,
    documentation: 'Verify the broker certificate and host name. Turn off only for tests.',
  })
  .define({
    name: 'mqtt.topics',
    type: ConfigType.LIST,
    default: '',
    importance: Importance.HIGH,
    group: G_SUB,
    orderInGroup: 1,
    documentation:
      'Topic filters (wildcards + and #; $share/<group>/<filter> for shared subscriptions), all routed to kafka.topic with QoS mqtt.qos. Use mqtt.routes for per-filter QoS and topics.',
  })
  .define({
    name: 'kafka.topic',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.HIGH,
    group: G_SUB,
    orderInGroup: 2,
    documentation:
      'Kafka topic template for mqtt.topics: ${1}…${n} are the levels the filter wildcards matched (# → the rest, levels joined by "."), ${topic} the MQTT topic with "/" → ".", ${level:<i>} one level. Other characters Kafka does not accept become _.',
  })
  .define({
    name: 'mqtt.qos',
    type: ConfigType.INT,
    default: 1,
    importance: Importance.MEDIUM,
    group: G_SUB,
    orderInGroup: 3,
    validator: qosOk,
    documentation: 'Subscription QoS for mqtt.topics (0, 1 or 2). Only QoS 1 and 2 are acknowledged after Kafka.',
  })
  .define({
    name: 'mqtt.routes',
    type: ConfigType.LIST,
    default: '',
    importance: Importance.HIGH,
    group: G_SUB,
    orderInGroup: 4,
    documentation:
      'Names of routes, each configured with mqtt.route.<name>.filter (required), mqtt.route.<name>.kafka.topic (required, template as kafka.topic) and mqtt.route.<name>.qos (default mqtt.qos). A message goes to the first route (routes first, in order, then mqtt.topics) whose filter matches.',
  })
  .define({
    name: 'mqtt.shared.subscription.group',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    group: G_SUB,
    orderInGroup: 5,
    documentation:
      'When set, every task subscribes to every filter as $share/<group>/<filter>, so the broker spreads messages over the tasks. Otherwise filters are divided among the tasks (filters already written as $share/… go to every task).',
  })
  .define({
    name: 'mqtt.record.key',
    type: ConfigType.STRING,
    default: 'topic',
    importance: Importance.MEDIUM,
    group: G_REC,
    orderInGroup: 1,
    validator: Validators.in(['topic', 'payload.field', 'none']),
    recommendedValues: ['topic', 'payload.field', 'none'],
    documentation: 'Record key: topic (the MQTT topic, a STRING), payload.field (mqtt.record.key.field of the JSON payload, as a string) or none.',
  })
  .define({
    name: 'mqtt.record.key.field',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.LOW,
    group: G_REC,
    orderInGroup: 2,
    documentation: 'Dotted path into the JSON payload (e.g. device.id) for mqtt.record.key=payload.field. A missing field gives a null key.',
  })
  .define({
    name: 'mqtt.payload.format',
    type: ConfigType.STRING,
    default: 'bytes',
    importance: Importance.MEDIUM,
    group: G_REC,
    orderInGroup: 3,
    validator: Validators.in(['bytes', 'string', 'json']),
    recommendedValues: ['bytes', 'string', 'json'],
    documentation: 'Record value: bytes (BYTES schema), string (UTF-8, STRING schema; invalid UTF-8 is an error) or json (parsed, schemaless).',
  })
  .define({
    name: 'mqtt.headers.enabled',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.LOW,
    group: G_REC,
    orderInGroup: 4,
    documentation: 'Add headers mqtt.topic, mqtt.qos, mqtt.retain, mqtt.dup, mqtt.message.id and the MQTT 5 user properties (with mqtt.user.property.prefix).',
  })
  .define({
    name: 'mqtt.user.property.prefix',
    type: ConfigType.STRING,
    default: '',
    importance: Importance.LOW,
    group: G_REC,
    orderInGroup: 5,
    documentation: 'Prefix of the header names made from MQTT 5 user properties.',
  })
  .define({
    name: 'mqtt.payload.error.policy',
    type: ConfigType.STRING,
    default: 'fail',
    importance: Importance.MEDIUM,
    group: G_FLOW,
    orderInGroup: 1,
    validator: Validators.in(['fail', 'skip', 'dlq']),
    recommendedValues: ['fail', 'skip', 'dlq'],
    documentation:
      'A payload that cannot be parsed (json/string format, key field): fail fails the task (the message is not acknowledged, so the broker redelivers it after a restart); skip logs it, counts it and acknowledges it; dlq writes the raw payload with error headers to mqtt.payload.error.topic and acknowledges it once Kafka did.',
  })
  .define({
    name: 'mqtt.payload.error.topic',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    group: G_FLOW,
    orderInGroup: 2,
    documentation: 'Kafka topic for mqtt.payload.error.policy=dlq (value: the raw payload, BYTES).',
  })
  .define({
    name: 'mqtt.queue.max.messages',
    type: ConfigType.INT,
    default: 1000,
    importance: Importance.MEDIUM,
    group: G_FLOW,
    orderInGroup: 3,
    validator: Validators.between(1, 65535),
    documentation:
      'Messages received but not yet acknowledged to the broker, at most. When full, the client stops reading from the broker (back-pressure); with MQTT 5 this is also the Receive Maximum sent to the broker.',
  })
  .define({
    name: 'mqtt.batch.max.messages',
    type: ConfigType.INT,
    default: 500,
    importance: Importance.LOW,
    group: G_FLOW,
    orderInGroup: 4,
    validator: Validators.atLeast(1),
    documentation: 'Records returned by one poll, at most.',
  })
  .define({
    name: 'mqtt.poll.wait.ms',
    type: ConfigType.INT,
    default: 500,
    importance: Importance.LOW,
    group: G_FLOW,
    orderInGroup: 5,
    validator: Validators.between(1, 5000),
    documentation: 'How long poll waits for the first message.',
  })
  .define({
    name: 'mqtt.shutdown.ack.timeout.ms',
    type: ConfigType.INT,
    default: 5000,
    importance: Importance.LOW,
    group: G_FLOW,
    orderInGroup: 6,
    validator: Validators.atLeast(0),
    documentation: 'On stop, how long to wait for Kafka to acknowledge records in flight so their MQTT acks can still be sent.',
  });

export type ParsedConfig = ReturnType<typeof CONFIG_DEF.parse>;

export interface MqttSourceConfig {
  raw: ParsedConfig;
  routes: Route[];
}

/** Named routes and mqtt.topics as Route objects; problems as [key, message] pairs. */
function buildRoutes(props: ConnectorProps, c: ParsedConfig): { routes: Route[]; problems: Array<[string, string]> } {
  const problems: Array<[string, string]> = [];
  const routes: Route[] = [];
  const defaultQos = c['mqtt.qos'] as number;
  const shareGroup = c['mqtt.shared.subscription.group'];
  const add = (key: string, subscription: string, qos: number, template: string | null, templateKey: string) => {
    const why = filterProblem(subscription);
    if (why) return problems.push([key, `Invalid topic filter ${subscription}: ${why}`]);
    const shared = parseShared(subscription);
    const filter = shared?.filter ?? subscription;
    if (template === null || template === undefined || template.trim() === '')
      return problems.push([templateKey, `${templateKey} is required for the filter ${subscription}`]);
    const tp = templateProblem(template, filter);
    if (tp) return problems.push([templateKey, `Invalid Kafka topic template ${template}: ${tp}`]);
    const sub = shared ? subscription : shareGroup ? `$share/${shareGroup}/${filter}` : subscription;
    routes.push({ subscription: sub, filter, qos: qos as 0 | 1 | 2, kafkaTopic: template, shared: Boolean(shared || shareGroup) });
    return undefined;
  };
  for (const name of c['mqtt.routes'] as string[]) {
    const p = `mqtt.route.${name}.`;
    const filter = props[`${p}filter`];
    if (!filter) {
      problems.push(['mqtt.routes', `Missing ${p}filter for route ${name}`]);
      continue;
    }
    const qosRaw = props[`${p}qos`];
    const qos = qosRaw === undefined ? defaultQos : Number(qosRaw);
    if (![0, 1, 2].includes(qos)) {
      problems.push(['mqtt.routes', `Invalid value ${qosRaw} for ${p}qos: must be 0, 1 or 2`]);
      continue;
    }
    add('mqtt.routes', filter, qos, props[`${p}kafka.topic`] ?? null, `${p}kafka.topic`);
  }
  for (const f of c['mqtt.topics'] as string[]) add('mqtt.topics', f, defaultQos, c['kafka.topic'], 'kafka.topic');
  const named = new Set(c['mqtt.routes'] as string[]);
  for (const k of Object.keys(props)) {
    const m = /^mqtt\.route\.(.+)\.(filter|qos|kafka\.topic)$/.exec(k);
    if (m && !named.has(m[1]!)) problems.push(['mqtt.routes', `${k} configures the route ${m[1]}, which is not listed in mqtt.routes`]);
  }
  if (routes.length === 0 && problems.length === 0) problems.push(['mqtt.topics', 'Configure at least one topic filter (mqtt.topics or mqtt.routes)']);
  return { routes, problems };
}

function crossChecks(props: ConnectorProps, c: ParsedConfig): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (c['mqtt.record.key'] === 'payload.field' && !c['mqtt.record.key.field'])
    out.push(['mqtt.record.key.field', 'mqtt.record.key.field is required when mqtt.record.key=payload.field']);
  if (c['mqtt.payload.error.policy'] === 'dlq' && !c['mqtt.payload.error.topic'])
    out.push(['mqtt.payload.error.topic', 'mqtt.payload.error.topic is required when mqtt.payload.error.policy=dlq']);
  if (Boolean(c['mqtt.ssl.cert.file']) !== Boolean(c['mqtt.ssl.key.file']))
    out.push(['mqtt.ssl.key.file', 'mqtt.ssl.cert.file and mqtt.ssl.key.file go together']);
  for (const k of Object.keys(props)) {
    if (/^mqtt\.ssl\.(trust|key)\.store\./.test(k))
      out.push([k, `${k}: Java key/trust stores are not supported; use mqtt.ssl.ca.file, mqtt.ssl.cert.file and mqtt.ssl.key.file (PEM)`]);
  }
  for (const k of ['mqtt.ssl.ca.file', 'mqtt.ssl.cert.file', 'mqtt.ssl.key.file'] as const) {
    const f = c[k];
    if (f) {
      try {
        readFileSync(f);
      } catch (e) {
        out.push([k, `Cannot read ${f}: ${(e as Error).message}`]);
      }
    }
  }
  return out;
}

/** Parses and checks a whole config; throws one ConfigError listing every problem. */
export function parseConfig(props: ConnectorProps): MqttSourceConfig {
  const raw = CONFIG_DEF.parse(props);
  const { routes, problems } = buildRoutes(props, raw);
  problems.push(...crossChecks(props, raw));
  if (problems.length) throw new ConfigError(problems.map(([, m]) => m).join('\n'), { name: problems[0]![0] });
  return { raw, routes };
}

/** ConfigDef validation plus the route and cross-key checks, errors attached to their keys. */
export function validateConfig(props: ConnectorProps): ConfigValue[] {
  const values = CONFIG_DEF.validate(props);
  if (values.some((v) => v.errors.length)) return values;
  const raw = CONFIG_DEF.parse(props);
  const { problems } = buildRoutes(props, raw);
  problems.push(...crossChecks(props, raw));
  for (const [key, msg] of problems) {
    let v = values.find((x) => x.name === key);
    if (!v) values.push((v = { name: key, value: props[key] ?? null, recommendedValues: [], errors: [], visible: true }));
    v.errors.push(msg);
  }
  return values;
}

export const passwordValue = (p: unknown): string | undefined => (p instanceof Password ? p.value : undefined);
