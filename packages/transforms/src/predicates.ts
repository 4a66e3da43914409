/**
 * The predicates (`org.apache.kafka.connect.transforms.predicates.*`): HasHeaderKey, RecordIsTombstone and
 * TopicNameMatches. A transformation with `predicate=<alias>` runs on a record when `test(record) XOR negate`.
 */
import { ConfigDef, ConfigType, type ConnectRecord, Importance, type Predicate } from '@kconnect/api';
import { JavaPattern } from './java-regex';
import { composite, configException, lambdaValidator, nonEmptyString } from './util';

export const HAS_HEADER_KEY_CONFIG = new ConfigDef().define({
  name: 'name',
  type: ConfigType.STRING,
  validator: nonEmptyString(),
  importance: Importance.MEDIUM,
  documentation: 'The header name.',
});

/** True for records with at least one header with the configured name. */
export class HasHeaderKey<R extends ConnectRecord = ConnectRecord> implements Predicate<R> {
  private name = '';
  config(): ConfigDef {
    return HAS_HEADER_KEY_CONFIG;
  }
  configure(configs: Record<string, string>): void {
    this.name = HAS_HEADER_KEY_CONFIG.parse(configs).name;
  }
  test(record: R): boolean {
    return record.headers.lastWithName(this.name) !== undefined;
  }
  toString(): string {
    return `HasHeaderKey{name='${this.name}'}`;
  }
}

export const RECORD_IS_TOMBSTONE_CONFIG = new ConfigDef();

/** True for tombstones (records with a null value). */
export class RecordIsTombstone<R extends ConnectRecord = ConnectRecord> implements Predicate<R> {
  config(): ConfigDef {
    return RECORD_IS_TOMBSTONE_CONFIG;
  }
  configure(_configs: Record<string, string>): void {}
  test(record: R): boolean {
    return record.value === null || record.value === undefined;
  }
  toString(): string {
    return 'RecordIsTombstone{}';
  }
}

/** Java's `RegexValidator`. */
export const regexValidator = () =>
  lambdaValidator((name, value) => {
    try {
      new JavaPattern(value as string);
    } catch (e) {
      throw configException(name, value, `Invalid regex: ${(e as Error).message}`);
    }
  }, 'valid regex');

export const TOPIC_NAME_MATCHES_CONFIG = new ConfigDef().define({
  name: 'pattern',
  type: ConfigType.STRING,
  validator: composite(nonEmptyString(), regexValidator()),
  importance: Importance.MEDIUM,
  documentation: "A Java regular expression for matching against the name of a record's topic.",
});

/** True for records whose topic name matches the configured (Java) regular expression as a whole. */
export class TopicNameMatches<R extends ConnectRecord = ConnectRecord> implements Predicate<R> {
  private pattern: JavaPattern | undefined;
  config(): ConfigDef {
    return TOPIC_NAME_MATCHES_CONFIG;
  }
  configure(configs: Record<string, string>): void {
    const value = TOPIC_NAME_MATCHES_CONFIG.parse(configs).pattern;
    try {
      this.pattern = new JavaPattern(value);
    } catch (e) {
      throw configException('pattern', value, `entry must be a Java-compatible regular expression: ${(e as Error).message}`);
    }
  }
  test(record: R): boolean {
    return record.topic !== null && record.topic !== undefined && this.pattern!.matches(record.topic);
  }
  toString(): string {
    return `TopicNameMatches{pattern=${this.pattern}}`;
  }
}
