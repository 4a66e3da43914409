/**
 * The topic routers: RegexRouter (a Java regex over the whole topic name and a `replaceFirst` replacement) and
 * TimestampRouter (a topic from a format with `${topic}` and `${timestamp}`, the record's timestamp formatted with a
 * `SimpleDateFormat` pattern in UTC).
 */
import { ConfigDef, ConfigType, type ConnectRecord, DataError, Importance, type Transformation } from '@kconnect/api';
import { SimpleDateFormat } from './date-format';
import { JavaPattern, JavaReplacement } from './java-regex';
import { regexValidator } from './predicates';
import { configException } from './util';

export const REGEX_ROUTER_CONFIG = new ConfigDef()
  .define({
    name: 'regex',
    type: ConfigType.STRING,
    validator: regexValidator(),
    importance: Importance.HIGH,
    documentation: 'Regular expression to use for matching.',
  })
  .define({ name: 'replacement', type: ConfigType.STRING, importance: Importance.HIGH, documentation: 'Replacement string.' });

/** Topics seen per instance before the rename cache starts afresh (topic names repeat; bounded anyway). */
const MAX_CACHED_TOPICS = 1000;

export class RegexRouter<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private regex: JavaPattern | undefined;
  private replacement: JavaReplacement | undefined;
  /** topic → new topic, or null when the regex does not match */
  private routes = new Map<string, string | null>();

  config(): ConfigDef {
    return REGEX_ROUTER_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    const c = REGEX_ROUTER_CONFIG.parse(configs);
    this.regex = new JavaPattern(c.regex);
    try {
      this.replacement = new JavaReplacement(c.replacement);
    } catch (e) {
      throw configException('replacement', c.replacement, (e as Error).message);
    }
    this.routes = new Map();
  }

  apply(record: R): R {
    let topic = this.routes.get(record.topic);
    if (topic === undefined) {
      topic = this.regex!.matches(record.topic) ? this.regex!.replaceFirst(record.topic, this.replacement!) : null;
      if (this.routes.size >= MAX_CACHED_TOPICS) this.routes.clear();
      this.routes.set(record.topic, topic);
    }
    return topic === null ? record : { ...record, topic };
  }
}

export const TIMESTAMP_ROUTER_CONFIG = new ConfigDef()
  .define({
    name: 'topic.format',
    type: ConfigType.STRING,
    default: '${topic}-${timestamp}',
    importance: Importance.HIGH,
    documentation:
      'Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively.',
  })
  .define({
    name: 'timestamp.format',
    type: ConfigType.STRING,
    default: 'yyyyMMdd',
    importance: Importance.HIGH,
    documentation: 'Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>.',
  });

export class TimestampRouter<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private topicFormat = '';
  private format: SimpleDateFormat | undefined;
  /** The slot (a day for date-only patterns, else the millisecond) last formatted and its text: records come in time order, so most repeat it. */
  private lastSlot = Number.NaN;
  private lastText = '';
  private resolution = 1;

  config(): ConfigDef {
    return TIMESTAMP_ROUTER_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    const c = TIMESTAMP_ROUTER_CONFIG.parse(configs);
    this.topicFormat = c['topic.format'];
    try {
      this.format = new SimpleDateFormat(c['timestamp.format']);
    } catch (e) {
      throw configException('timestamp.format', c['timestamp.format'], (e as Error).message);
    }
    this.resolution = this.format.resolutionMs;
    this.lastSlot = Number.NaN;
  }

  apply(record: R): R {
    const ts = record.timestamp;
    if (ts === null || ts === undefined) throw new DataError(`Timestamp missing on record: ${describeRecord(record)}`);
    const slot = this.resolution === 1 ? ts : Math.floor(ts / this.resolution);
    if (slot !== this.lastSlot) {
      this.lastText = this.format!.format(new Date(ts));
      this.lastSlot = slot;
    }
    const topic = this.topicFormat.replaceAll('${topic}', () => record.topic).replaceAll('${timestamp}', () => this.lastText);
    return { ...record, topic };
  }
}

/** A record as Java's `ConnectRecord.toString` starts it. */
function describeRecord(r: ConnectRecord): string {
  return `${'kafkaOffset' in r ? 'SinkRecord' : 'SourceRecord'}{topic='${r.topic}', kafkaPartition=${r.kafkaPartition}, timestamp=${r.timestamp}}`;
}
