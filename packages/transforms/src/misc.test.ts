import {
  ConfigError,
  DataError,
  DateType,
  Headers,
  SchemaBuilder,
  Schemas,
  type SourceRecord,
  sourceRecord,
  Struct,
  TimestampType,
  TimeType,
} from '@kconnect/api';
import { SimpleDateFormat } from './date-format';
import { Filter } from './filter';
import { DropHeaders, InsertHeader } from './headers';
import { plugins } from './index';
import { JavaPattern, JavaReplacement } from './java-regex';
import { HasHeaderKey, RecordIsTombstone, TopicNameMatches } from './predicates';
import { RegexRouter, TimestampRouter } from './routers';
import { TimestampConverter } from './timestamp-converter';

const rec = (r: Partial<SourceRecord>) => sourceRecord({ topic: 'test', kafkaPartition: 0, ...r });
function configured<T extends { configure(p: Record<string, string>): void }>(t: T, props: Record<string, string>): T {
  t.configure(props);
  return t;
}

describe('DropHeaders / InsertHeader', () => {
  it('drops every header with the names, keeping the order of the rest', () => {
    const headers = new Headers().add('a', 1).add('b', 2).add('a', 3).add('c', 4);
    const out = configured(new DropHeaders<SourceRecord>(), { headers: 'a,c' }).apply(rec({ headers }));
    expect([...out.headers].map((h) => h.key)).toEqual(['b']);
    expect(headers.size).toBe(4);
    expect(() => configured(new DropHeaders(), { headers: '' })).toThrow('Invalid value [] for configuration headers: Empty list');
  });
  it('inserts a header with the literal parsed as Values.parseString does', () => {
    const headers = new Headers().add('existing', 'x');
    const out = configured(new InsertHeader<SourceRecord>(), { header: 'inserted', 'value.literal': '42' }).apply(rec({ headers }));
    const h = out.headers.lastWithName('inserted')!;
    expect(h.value).toBe(42);
    expect(h.schema!.type).toBe('INT8');
    expect(headers.size).toBe(1);
    const s = configured(new InsertHeader<SourceRecord>(), { header: 'h', 'value.literal': 'hello' }).apply(rec({})).headers.lastWithName('h')!;
    expect([s.value, s.schema!.type]).toEqual(['hello', 'STRING']);
    expect(() => configured(new InsertHeader(), { header: 'h' })).toThrow('Missing required configuration "value.literal" which has no default value.');
  });
});

describe('Filter and predicates', () => {
  it('Filter drops the record', () => {
    expect(configured(new Filter(), {}).apply(rec({}))).toBeNull();
  });
  it('HasHeaderKey', () => {
    const p = configured(new HasHeaderKey(), { name: 'foo' });
    expect(p.test(rec({ headers: new Headers().add('foo', null) }))).toBe(true);
    expect(p.test(rec({ headers: new Headers().add('bar', 1) }))).toBe(false);
    expect(p.test(rec({}))).toBe(false);
    expect(() => configured(new HasHeaderKey(), { name: '' })).toThrow('Invalid value  for configuration name: String must be non-empty');
    expect(new HasHeaderKey().config().validate({})[0]!.errors).toEqual(['Missing required configuration "name" which has no default value.']);
    expect(String(p)).toBe("HasHeaderKey{name='foo'}");
  });
  it('RecordIsTombstone', () => {
    const p = configured(new RecordIsTombstone(), {});
    expect(p.test(rec({ value: null }))).toBe(true);
    expect(p.test(rec({ value: 'x' }))).toBe(false);
  });
  it('TopicNameMatches (TopicNameMatchesTest)', () => {
    const p = configured(new TopicNameMatches(), { pattern: 'my-prefix-.*' });
    expect(p.test(rec({ topic: 'my-prefix-' }))).toBe(true);
    expect(p.test(rec({ topic: 'my-prefix-foo' }))).toBe(true);
    expect(p.test(rec({ topic: 'x-my-prefix-' }))).toBe(false);
    expect(p.test(rec({ topic: 'my-prefix' }))).toBe(false);
    expect(() => configured(new TopicNameMatches(), { pattern: '[' })).toThrow(/^Invalid value \[ for configuration pattern: Invalid regex: /);
    expect(() => configured(new TopicNameMatches(), { pattern: '' })).toThrow('Invalid value  for configuration pattern: String must be non-empty');
    const errs = new TopicNameMatches().config().validate({ pattern: '[' })[0]!.errors;
    expect(errs[0]).toMatch(/^Invalid value \[ for configuration pattern: Invalid regex: /);
  });
});

describe('RegexRouter (RegexRouterTest)', () => {
  const apply = (regex: string, replacement: string, topic: string) =>
    configured(new RegexRouter<SourceRecord>(), { regex, replacement }).apply(rec({ topic })).topic;
  it.each([
    ['', '', '', ''],
    ['foo', 'bar', 'foo', 'bar'],
    ['foo', 'bar', 'orig', 'orig'],
    ['foo', 'bar', 'foo-bar', 'foo-bar'],
    ['foo.*', 'bar', 'foo-bar', 'bar'],
    ['(.*)', 'prefix-$1', 'orig', 'prefix-orig'],
    ['(.*)', '$1-suffix', 'orig', 'orig-suffix'],
    ['(.*)-(.*)-(.*)', '$1-$3-$2', 'one-two-three', 'one-three-two'],
    ['(?<a>\\w+)\\.(?<b>\\w+)', '${b}_${a}', 'x.y', 'y_x'],
    ['(.*)', '\\$$1', 'a', '$a'],
    ['(?i)FOO', 'bar', 'foo', 'bar'],
    ['\\Qa.b\\E', 'c', 'a.b', 'c'],
  ])('%j → %j on %j', (regex, replacement, topic, expected) => {
    expect(apply(regex, replacement, topic)).toBe(expected);
  });
  it('validates the regex', () => {
    expect(() => configured(new RegexRouter(), { regex: '(', replacement: 'x' })).toThrow(ConfigError);
    expect(() => configured(new RegexRouter(), { regex: 'a' })).toThrow('Missing required configuration "replacement" which has no default value.');
  });
});

describe('TimestampRouter (TimestampRouterTest)', () => {
  it('defaults to ${topic}-yyyyMMdd', () => {
    const out = configured(new TimestampRouter<SourceRecord>(), {}).apply(rec({ topic: 'test', timestamp: 1483425001864 }));
    expect(out.topic).toBe('test-20170103');
  });
  it('formats each day once, yet changes with the day', () => {
    const t = configured(new TimestampRouter<SourceRecord>(), {});
    const day = 86_400_000;
    expect([1, 2, day - 1, day, 2 * day + 5].map((ts) => t.apply(rec({ topic: 't', timestamp: ts })).topic)).toEqual([
      't-19700101',
      't-19700101',
      't-19700101',
      't-19700102',
      't-19700103',
    ]);
  });
  it('takes a format and needs a timestamp', () => {
    const t = configured(new TimestampRouter<SourceRecord>(), { 'topic.format': 'x_${topic}_${timestamp}', 'timestamp.format': 'yyyy-MM-dd HH:mm' });
    expect(t.apply(rec({ topic: 'a$1', timestamp: 1483425001864 })).topic).toBe('x_a$1_2017-01-03 06:30');
    expect(() => t.apply(rec({ timestamp: null }))).toThrow(DataError);
    expect(() => t.apply(rec({ timestamp: null }))).toThrow(/^Timestamp missing on record: /);
  });
});

describe('SimpleDateFormat', () => {
  const ms = Date.UTC(1970, 0, 2, 0, 0, 1, 234);
  it.each([
    ['yyyy MM dd HH mm ss SSS z', '1970 01 02 00 00 01 234 UTC', ms],
    ["yyyy-MM-dd'T'HH:mm:ss.SSSXXX", '1970-01-02T00:00:01.234Z', ms],
    ['EEE, d MMM yyyy hh:mm a Z', 'Fri, 2 Jan 1970 12:00 AM +0000', 86_400_000],
    ["yyyy''MMMM''D", "1970'January'2", 86_400_000],
  ])('formats and parses %j', (pattern, text, parsed) => {
    const f = new SimpleDateFormat(pattern);
    expect(f.format(new Date(ms))).toBe(text);
    expect(f.parse(text)!.getTime()).toBe(parsed);
  });
  it('parses abutting fields by width, offsets and leniently', () => {
    expect(new SimpleDateFormat('yyyyMMddHHmm').parse('201701030630')!.getTime()).toBe(Date.UTC(2017, 0, 3, 6, 30));
    expect(new SimpleDateFormat('yyyy-MM-dd HH:mmZ').parse('2017-01-03 06:30+0200')!.getTime()).toBe(Date.UTC(2017, 0, 3, 4, 30));
    expect(new SimpleDateFormat('yyyy-MM-dd').parse('2017-13-01')!.getTime()).toBe(Date.UTC(2018, 0, 1));
    expect(new SimpleDateFormat('yyyy-MM-dd').parse('2017-01-01 trailing')!.getTime()).toBe(Date.UTC(2017, 0, 1));
    expect(new SimpleDateFormat('yyyy-MM-dd').parse('nope')).toBeUndefined();
  });
  it('refuses bad patterns', () => {
    expect(() => new SimpleDateFormat('yyyy-bb')).toThrow("Illegal pattern character 'b'");
    expect(() => new SimpleDateFormat("yyyy'")).toThrow('Unterminated quote');
  });
});

describe('TimestampConverter (TimestampConverterTest)', () => {
  const DATE_PLUS_TIME = new Date(86_401_234);
  const DATE = new Date(86_400_000);
  const TIME = new Date(1234);
  const FMT = 'yyyy MM dd HH mm ss SSS z';
  const STR = '1970 01 02 00 00 01 234 UTC';
  const conv = (props: Record<string, string>, side: 'key' | 'value' = 'value') => configured(new TimestampConverter<SourceRecord>(side), props);

  it('validates its config', () => {
    expect(() => conv({ 'target.type': 'invalid' })).toThrow(
      'Invalid value invalid for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp',
    );
    expect(() => conv({ 'target.type': 'string' })).toThrow('TimestampConverter requires format option to be specified when using string timestamps');
    expect(() => conv({ 'target.type': 'string', format: 'bad-formatj' })).toThrow(
      'TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: bad-formatj',
    );
    expect(() => conv({ 'target.type': 'unix', 'unix.precision': 'hours' })).toThrow(
      'Invalid value hours for configuration unix.precision: String must be one of: nanoseconds, microseconds, milliseconds, seconds',
    );
  });
  it.each<[string, Record<string, string>, unknown, unknown]>([
    ['identity', { 'target.type': 'Timestamp' }, DATE_PLUS_TIME, DATE_PLUS_TIME],
    ['Timestamp → Date', { 'target.type': 'Date' }, DATE_PLUS_TIME, DATE],
    ['Timestamp → Time', { 'target.type': 'Time' }, DATE_PLUS_TIME, TIME],
    ['Timestamp → unix', { 'target.type': 'unix' }, DATE_PLUS_TIME, 86_401_234],
    ['Timestamp → string', { 'target.type': 'string', format: FMT }, DATE_PLUS_TIME, STR],
    ['unix → Timestamp', { 'target.type': 'Timestamp' }, 86_401_234, DATE_PLUS_TIME],
    ['string → Timestamp', { 'target.type': 'Timestamp', format: FMT }, STR, DATE_PLUS_TIME],
    ['unix seconds → Timestamp', { 'target.type': 'Timestamp', 'unix.precision': 'seconds' }, 86_401, new Date(86_401_000)],
    ['unix micros → Timestamp', { 'target.type': 'Timestamp', 'unix.precision': 'microseconds' }, 86_401_234_123, DATE_PLUS_TIME],
    ['unix nanos → Timestamp', { 'target.type': 'Timestamp', 'unix.precision': 'nanoseconds' }, 86_401_234_123_456n, DATE_PLUS_TIME],
    ['Timestamp → unix nanos', { 'target.type': 'unix', 'unix.precision': 'nanoseconds' }, DATE_PLUS_TIME, 86_401_234_000_000],
    ['Timestamp → unix seconds', { 'target.type': 'unix', 'unix.precision': 'seconds' }, DATE_PLUS_TIME, 86_401],
    ['null', { 'target.type': 'unix' }, null, null],
  ])('schemaless %s', (_name, props, input, expected) => {
    const out = conv(props).apply(rec({ value: input }));
    expect(out.valueSchema).toBeNull();
    expect(out.value).toEqual(expected);
  });
  it.each([
    [{ 'target.type': 'Timestamp' }, TimestampType.SCHEMA, DATE_PLUS_TIME, TimestampType.SCHEMA, DATE_PLUS_TIME],
    [{ 'target.type': 'Date' }, TimestampType.SCHEMA, DATE_PLUS_TIME, DateType.SCHEMA, DATE],
    [{ 'target.type': 'Time' }, TimestampType.SCHEMA, DATE_PLUS_TIME, TimeType.SCHEMA, TIME],
    [{ 'target.type': 'unix' }, TimestampType.SCHEMA, DATE_PLUS_TIME, Schemas.INT64_SCHEMA, 86_401_234],
    [{ 'target.type': 'string', format: FMT }, TimestampType.SCHEMA, DATE_PLUS_TIME, Schemas.STRING_SCHEMA, STR],
    [{ 'target.type': 'Timestamp' }, DateType.SCHEMA, DATE, TimestampType.SCHEMA, DATE],
    [{ 'target.type': 'Timestamp' }, Schemas.INT64_SCHEMA, 86_401_234, TimestampType.SCHEMA, DATE_PLUS_TIME],
    [{ 'target.type': 'Timestamp', format: FMT }, Schemas.STRING_SCHEMA, STR, TimestampType.SCHEMA, DATE_PLUS_TIME],
  ])('with schema #%#', (props, schema, input, outSchema, expected) => {
    const out = conv(props).apply(rec({ valueSchema: schema, value: input }));
    expect(out.valueSchema).toBe(outSchema);
    expect(out.value).toEqual(expected);
  });
  it('converts a field of a struct and of a map, keys too', () => {
    const schema = SchemaBuilder.struct().field('ts', TimestampType.SCHEMA).field('other', Schemas.STRING_SCHEMA).build();
    const t = conv({ 'target.type': 'unix', field: 'ts' });
    const out = t.apply(rec({ valueSchema: schema, value: new Struct(schema).put('ts', DATE_PLUS_TIME).put('other', 'o') }));
    expect(out.valueSchema!.field('ts')!.schema).toBe(Schemas.INT64_SCHEMA);
    expect((out.value as Struct).get('ts')).toBe(86_401_234);
    expect((out.value as Struct).get('other')).toBe('o');
    expect(t.apply(rec({ value: { ts: DATE_PLUS_TIME, other: 'o' } })).value).toEqual({ ts: 86_401_234, other: 'o' });
    expect(t.apply(rec({ value: { other: 'o' } })).value).toEqual({ ts: null, other: 'o' });
    const k = conv({ 'target.type': 'Date' }, 'key').apply(rec({ keySchema: TimestampType.builder().optional().build(), key: DATE_PLUS_TIME }));
    expect(k.keySchema!.optional).toBe(true);
    expect(k.key).toEqual(DATE);
  });
  it('reports bad inputs as Java does', () => {
    expect(() => conv({ 'target.type': 'Timestamp', format: FMT }).apply(rec({ value: 'nope' }))).toThrow(
      'Could not parse timestamp: value (nope) does not match pattern (yyyy MM dd HH mm ss SSS z)',
    );
    expect(() => conv({ 'target.type': 'Timestamp' }).apply(rec({ value: true }))).toThrow(
      'TimestampConverter does not support class java.lang.Boolean objects as timestamps',
    );
    expect(() => conv({ 'target.type': 'Timestamp' }).apply(rec({ valueSchema: Schemas.INT32_SCHEMA, value: 1 }))).toThrow(
      'does not correspond to a known timestamp type format',
    );
  });
});

describe('JavaPattern', () => {
  it('matches whole inputs and expands Java replacements', () => {
    const p = new JavaPattern('a*?');
    expect(p.matches('aa')).toBe(true);
    expect(p.replaceFirst('aa', new JavaReplacement('x'))).toBe('xaa');
    expect(new JavaPattern('(\\w)++x').matches('abx')).toBe(true);
    expect(new JavaReplacement('$12').expand(/(a)/.exec('a')!)).toBe('a2');
    expect(() => new JavaReplacement('$')).toThrow();
  });
});

describe('plugins', () => {
  it('lists every transformation and predicate of Apache Kafka under its class name', () => {
    const names = plugins.map((p) => `${p.type} ${p.className.replace('org.apache.kafka.connect.transforms.', '')}`);
    expect(names).toEqual([
      'transformation Cast$Key',
      'transformation Cast$Value',
      'transformation DropHeaders',
      'transformation ExtractField$Key',
      'transformation ExtractField$Value',
      'transformation Filter',
      'transformation Flatten$Key',
      'transformation Flatten$Value',
      'transformation HeaderFrom$Key',
      'transformation HeaderFrom$Value',
      'transformation HoistField$Key',
      'transformation HoistField$Value',
      'transformation InsertField$Key',
      'transformation InsertField$Value',
      'transformation InsertHeader',
      'transformation MaskField$Key',
      'transformation MaskField$Value',
      'transformation RegexRouter',
      'transformation ReplaceField$Key',
      'transformation ReplaceField$Value',
      'transformation SetSchemaMetadata$Key',
      'transformation SetSchemaMetadata$Value',
      'transformation TimestampConverter$Key',
      'transformation TimestampConverter$Value',
      'transformation TimestampRouter',
      'transformation ValueToKey',
      'predicate predicates.HasHeaderKey',
      'predicate predicates.RecordIsTombstone',
      'predicate predicates.TopicNameMatches',
    ]);
    for (const p of plugins) {
      expect(p.version).toBe('0.1.0');
      const instance = p.create();
      expect(instance.config().configKeys()).toBeDefined();
    }
  });
});
