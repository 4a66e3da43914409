/**
 * The framework's connector config keys (Java's ConnectorConfig, SourceConnectorConfig, SinkConnectorConfig),
 * merged with each plugin's own ConfigDef for validation and `/connector-plugins/{p}/config`.
 */
import { ConfigDef, ConfigType, Importance, Validators, Width } from '@kconnect/api';

const COMMON = 'Common';
const TRANSFORMS = 'Transforms';
const PREDICATES = 'Predicates';
const ERRORS = 'Error Handling';

/**
 * Java's NonEmptyStringWithoutControlChars: the empty string and any ISO control character (U+0000–U+001F,
 * U+007F–U+009F) are rejected; whitespace-only names and `/` are allowed.
 */
function nameError(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = String(v);
  if (s === '') return 'String may not be empty';
  const found: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) found.push(c);
  }
  return found.length ? `String may not contain control sequences but had the following ASCII chars: ${found.join(', ')}` : undefined;
}

/**
 * KIP-891's `*.plugin.version` keys (Java 4.1): a version or Maven version range of the plugin named by the matching
 * class key. Their default, value and recommended values are the installed versions, filled in per request
 * (herder/common.ts), as Java's recommenders do.
 */
function pluginVersionKey(name: string, documentation: string, displayName: string, orderInGroup: number, importance = Importance.LOW, width = Width.SHORT) {
  return { name, type: ConfigType.STRING, default: null, importance, documentation, group: COMMON, orderInGroup, width, displayName };
}

/** Java's CaseInsensitiveValidString: the message lists the values upper-cased. */
function caseInsensitiveIn(values: readonly string[]) {
  const upper = values.map((v) => v.toUpperCase());
  return Validators.of(
    (v) =>
      v === null || v === undefined || upper.includes(String(v).toUpperCase()) ? undefined : `String must be one of (case insensitive): ${upper.join(', ')}`,
    `(case insensitive) [${upper.join(', ')}]`,
  );
}

export const CONNECTOR_CONFIG = new ConfigDef()
  .define({
    name: 'name',
    type: ConfigType.STRING,
    importance: Importance.HIGH,
    documentation: 'Globally unique name to use for this connector.',
    group: COMMON,
    orderInGroup: 1,
    width: Width.MEDIUM,
    displayName: 'Connector name',
    validator: Validators.of(nameError, 'non-empty string without ISO control characters'),
  })
  .define({
    name: 'connector.class',
    type: ConfigType.STRING,
    importance: Importance.HIGH,
    documentation:
      'Name or alias of the class for this connector. For org.apache.kafka.connect.file.FileStreamSinkConnector you can either specify this full name, or use "FileStreamSink" or "FileStreamSinkConnector" to make the configuration a bit shorter',
    group: COMMON,
    orderInGroup: 2,
    width: Width.LONG,
    displayName: 'Connector class',
  })
  .define(pluginVersionKey('connector.plugin.version', 'Version of the connector.', 'Connector version', 3, Importance.MEDIUM, Width.MEDIUM))
  .define({
    name: 'tasks.max',
    type: ConfigType.INT,
    default: 1,
    importance: Importance.HIGH,
    documentation: 'Maximum number of tasks to use for this connector.',
    group: COMMON,
    orderInGroup: 4,
    width: Width.SHORT,
    displayName: 'Tasks max',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'tasks.max.enforce',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.LOW,
    documentation: '(Deprecated) Whether a connector that generates more task configs than tasks.max fails (true) or is allowed to run them all (false).',
    group: COMMON,
    orderInGroup: 5,
    width: Width.SHORT,
    displayName: 'Enforce tasks max',
  })
  .define({
    name: 'key.converter',
    type: ConfigType.CLASS,
    default: null,
    importance: Importance.LOW,
    documentation:
      'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. Overrides the worker setting.',
    group: COMMON,
    orderInGroup: 6,
    width: Width.SHORT,
    displayName: 'Key converter class',
  })
  .define(pluginVersionKey('key.converter.plugin.version', 'Version of the key converter.', 'Key converter version', 7))
  .define({
    name: 'value.converter',
    type: ConfigType.CLASS,
    default: null,
    importance: Importance.LOW,
    documentation: 'Converter class for record values. Overrides the worker setting.',
    group: COMMON,
    orderInGroup: 8,
    width: Width.SHORT,
    displayName: 'Value converter class',
  })
  .define(pluginVersionKey('value.converter.plugin.version', 'Version of the value converter.', 'Value converter version', 9))
  .define({
    name: 'header.converter',
    type: ConfigType.CLASS,
    default: null,
    importance: Importance.LOW,
    documentation: 'HeaderConverter class for header values. Overrides the worker setting.',
    group: COMMON,
    orderInGroup: 10,
    width: Width.SHORT,
    displayName: 'Header converter class',
  })
  .define(pluginVersionKey('header.converter.plugin.version', 'Version of the header converter.', 'Header converter version', 11))
  .define({
    name: 'transforms',
    type: ConfigType.LIST,
    default: '',
    importance: Importance.LOW,
    documentation: 'Aliases for the transformations to be applied to records.',
    group: TRANSFORMS,
    orderInGroup: 12,
    width: Width.LONG,
    displayName: 'Transforms',
  })
  .define({
    name: 'predicates',
    type: ConfigType.LIST,
    default: '',
    importance: Importance.LOW,
    documentation: 'Aliases for the predicates used by transformations.',
    group: PREDICATES,
    orderInGroup: 13,
    width: Width.LONG,
    displayName: 'Predicates',
  })
  .define({
    name: 'config.action.reload',
    type: ConfigType.STRING,
    default: 'restart',
    importance: Importance.LOW,
    documentation: 'What to do when a config provider reports a change: none or restart.',
    group: COMMON,
    orderInGroup: 14,
    width: Width.MEDIUM,
    displayName: 'Reload Action',
    validator: Validators.in(['none', 'restart'], true),
  })
  .define({
    name: 'errors.retry.timeout',
    type: ConfigType.LONG,
    default: 0,
    importance: Importance.MEDIUM,
    documentation:
      'The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.',
    group: ERRORS,
    orderInGroup: 1,
    width: Width.MEDIUM,
    displayName: 'Retry Timeout for Errors',
  })
  .define({
    name: 'errors.retry.delay.max.ms',
    type: ConfigType.LONG,
    default: 60000,
    importance: Importance.MEDIUM,
    documentation: 'The maximum duration in milliseconds between consecutive retry attempts.',
    group: ERRORS,
    orderInGroup: 2,
    width: Width.MEDIUM,
    displayName: 'Maximum Delay Between Retries for Errors',
  })
  .define({
    name: 'errors.tolerance',
    type: ConfigType.STRING,
    default: 'none',
    importance: Importance.MEDIUM,
    documentation:
      "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
    group: ERRORS,
    orderInGroup: 3,
    width: Width.SHORT,
    displayName: 'Error Tolerance',
    validator: Validators.in(['none', 'all'], true),
  })
  .define({
    name: 'errors.log.enable',
    type: ConfigType.BOOLEAN,
    default: false,
    importance: Importance.MEDIUM,
    documentation: 'If true, write each error and the details of the failed operation and problematic record to the Connect application log.',
    group: ERRORS,
    orderInGroup: 4,
    width: Width.SHORT,
    displayName: 'Log Errors',
  })
  .define({
    name: 'errors.log.include.messages',
    type: ConfigType.BOOLEAN,
    default: false,
    importance: Importance.MEDIUM,
    documentation: 'Whether to include in the log the Connect record that resulted in a failure.',
    group: ERRORS,
    orderInGroup: 5,
    width: Width.SHORT,
    displayName: 'Log Error Details',
  });

const SINK_BASE = CONNECTOR_CONFIG.define({
  name: 'topics',
  type: ConfigType.LIST,
  default: '',
  importance: Importance.HIGH,
  documentation: 'List of topics to consume, separated by commas',
  group: COMMON,
  orderInGroup: 4,
  width: Width.LONG,
  displayName: 'Topics',
}).define({
  name: 'topics.regex',
  type: ConfigType.STRING,
  default: '',
  importance: Importance.HIGH,
  documentation: 'Regular expression giving topics to consume. Only one of topics or topics.regex should be specified.',
  group: COMMON,
  orderInGroup: 4,
  width: Width.LONG,
  displayName: 'Topics regex',
});

/** The dead letter queue keys: Java's for sinks; a kconnect extension for sources (the same keys and meaning). */
function withDeadLetterQueue(def: ConfigDef, kind: 'sink' | 'source'): ConfigDef {
  const what =
    kind === 'sink'
      ? 'messages that result in an error when processed by this sink connector, or its transformations or converters'
      : 'records of this source connector that result in an error in its transformations or converters (kconnect extension; the record as polled, serialized as far as it can be, see docs/compatibility.md)';
  return def
    .define({
      name: 'errors.deadletterqueue.topic.name',
      type: ConfigType.STRING,
      default: '',
      importance: Importance.MEDIUM,
      documentation: `The name of the topic to be used as the dead letter queue (DLQ) for ${what}. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.`,
      group: ERRORS,
      orderInGroup: 6,
      width: Width.MEDIUM,
      displayName: 'Dead Letter Queue Topic Name',
    })
    .define({
      name: 'errors.deadletterqueue.topic.replication.factor',
      type: ConfigType.SHORT,
      default: 3,
      importance: Importance.MEDIUM,
      documentation: "Replication factor used to create the dead letter queue topic when it doesn't already exist.",
      group: ERRORS,
      orderInGroup: 7,
      width: Width.MEDIUM,
      displayName: 'Dead Letter Queue Topic Replication Factor',
    })
    .define({
      name: 'errors.deadletterqueue.context.headers.enable',
      type: ConfigType.BOOLEAN,
      default: false,
      importance: Importance.MEDIUM,
      documentation: 'If true, add headers containing error context to the messages written to the dead letter queue.',
      group: ERRORS,
      orderInGroup: 8,
      width: Width.MEDIUM,
      displayName: 'Enable Error Context Headers',
    });
}

const SOURCE_BASE = CONNECTOR_CONFIG.define({
  name: 'topic.creation.groups',
  type: ConfigType.LIST,
  default: '',
  importance: Importance.LOW,
  documentation: 'Groups of configurations for topics created by source connectors',
  group: 'Topic Creation',
  orderInGroup: 1,
  width: Width.LONG,
  displayName: 'Topic Creation Groups',
})
  .define({
    name: 'topic.creation.default.replication.factor',
    type: ConfigType.SHORT,
    default: null,
    importance: Importance.LOW,
    documentation:
      'Replication factor of the topics this connector creates (-1 = broker default). Setting it (with topic.creation.default.partitions) enables topic creation.',
    group: 'Topic Creation',
    orderInGroup: 2,
    width: Width.SHORT,
    displayName: 'Default replication factor',
  })
  .define({
    name: 'topic.creation.default.partitions',
    type: ConfigType.INT,
    default: null,
    importance: Importance.LOW,
    documentation: 'Partitions of the topics this connector creates (-1 = broker default).',
    group: 'Topic Creation',
    orderInGroup: 3,
    width: Width.SHORT,
    displayName: 'Default partitions',
  })
  // Java's SourceConnectorConfig exactly-once keys. kconnect's standalone worker, like Java's, has no exactly-once
  // source support: the values are validated and otherwise unused.
  .define({
    name: 'exactly.once.support',
    type: ConfigType.STRING,
    default: 'requested',
    importance: Importance.MEDIUM,
    documentation:
      'Permitted values are requested, required. "required" makes the connector fail validation when exactly-once source support is not available; "requested" does not.',
    group: 'Exactly Once Support',
    orderInGroup: 2,
    width: Width.SHORT,
    displayName: 'Exactly once support',
    validator: caseInsensitiveIn(['required', 'requested']),
  })
  .define({
    name: 'transaction.boundary',
    type: ConfigType.STRING,
    default: 'poll',
    importance: Importance.MEDIUM,
    documentation:
      'Permitted values are: poll, interval, connector. Where exactly-once source support draws transaction boundaries: after each poll, every transaction.boundary.interval.ms, or where the connector says.',
    group: 'Exactly Once Support',
    orderInGroup: 3,
    width: Width.SHORT,
    displayName: 'Transaction Boundary',
    validator: caseInsensitiveIn(['interval', 'poll', 'connector']),
  })
  .define({
    name: 'transaction.boundary.interval.ms',
    type: ConfigType.LONG,
    default: null,
    importance: Importance.LOW,
    documentation: "If 'transaction.boundary' is 'interval', the time between transaction commits; the worker's offset.flush.interval.ms when unset.",
    group: 'Exactly Once Support',
    orderInGroup: 4,
    width: Width.SHORT,
    displayName: 'Transaction boundary interval',
    validator: Validators.of((v) => (v !== null && v !== undefined && (v as number) < 0 ? 'Value must be at least 0' : undefined), '[0,...]'),
  })
  .define({
    name: 'offsets.storage.topic',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.LOW,
    documentation: "The name of a separate offsets topic for this connector (distributed workers); empty or unset uses the worker's.",
    group: 'offsets.topic',
    orderInGroup: 1,
    width: Width.LONG,
    displayName: 'Offsets topic',
    validator: Validators.of((v) => (v !== null && v !== undefined && String(v).trim() === '' ? 'String must be non-empty' : undefined), 'non-empty string'),
  });

export const SINK_CONNECTOR_CONFIG = withDeadLetterQueue(SINK_BASE, 'sink');
export const SOURCE_CONNECTOR_CONFIG = withDeadLetterQueue(SOURCE_BASE, 'source');

/** Extra checks on a sink connector's topic settings (Java's SinkConnectorConfig.validate), as key → errors. */
export function sinkTopicErrors(props: Record<string, string>): Record<string, string[]> {
  const topics = (props.topics ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const regex = (props['topics.regex'] ?? '').trim();
  const errors: Record<string, string[]> = {};
  const add = (k: string, m: string) => (errors[k] ??= []).push(m);
  if (topics.length && regex) {
    const m = 'topics and topics.regex are mutually exclusive options, but both are set.';
    add('topics', m);
    add('topics.regex', m);
  } else if (!topics.length && !regex) {
    const m = 'Must configure one of topics or topics.regex';
    add('topics', m);
    add('topics.regex', m);
  }
  if (regex) {
    try {
      new RegExp(regex);
    } catch (e) {
      add('topics.regex', `Invalid value ${regex} for configuration topics.regex: ${(e as Error).message}`);
    }
  }
  const dlq = (props['errors.deadletterqueue.topic.name'] ?? '').trim();
  if (dlq && (topics.includes(dlq) || (regex && safeRegexMatch(regex, dlq)))) {
    add(
      'errors.deadletterqueue.topic.name',
      `The DLQ topic '${dlq}' may not be included in the list of topics ('topics=${topics.join(',')}') or match the regex ('topics.regex=${regex}') consumed by the connector`,
    );
  }
  return errors;
}

function safeRegexMatch(re: string, s: string): boolean {
  try {
    return new RegExp(`^(?:${re})$`).test(s);
  } catch {
    return false;
  }
}
