import {
  ConfigError,
  DataError,
  Headers,
  SchemaBuilder,
  Schemas,
  type SinkRecord,
  type SourceRecord,
  sourceRecord,
  Struct,
  TimestampType,
} from '@kconnect/api';
import { Flatten, HeaderFrom, InsertField, SetSchemaMetadata } from './structure';

const rec = (r: Partial<SourceRecord>) => sourceRecord({ topic: 'test', kafkaPartition: 0, ...r });
const sink = (r: Partial<SinkRecord>): SinkRecord =>
  ({ ...rec(r), kafkaOffset: 42, timestampType: 'CreateTime', originalTopic: 'test', originalKafkaPartition: 0, originalKafkaOffset: 42, ...r }) as SinkRecord;
function configured<T extends { configure(p: Record<string, string>): void }>(t: T, props: Record<string, string>): T {
  t.configure(props);
  return t;
}

describe('Flatten', () => {
  const types = SchemaBuilder.struct()
    .field('int8', Schemas.INT8_SCHEMA)
    .field('int64', Schemas.INT64_SCHEMA)
    .field('float64', Schemas.FLOAT64_SCHEMA)
    .field('string', Schemas.STRING_SCHEMA)
    .field('bytes', Schemas.BYTES_SCHEMA)
    .build();
  const one = SchemaBuilder.struct().field('B', types).build();
  const two = SchemaBuilder.struct().field('A', one).build();
  const inner = new Struct(types).put('int8', 8).put('int64', 64).put('float64', 64.5).put('string', 'stringy').put('bytes', Buffer.from('bytes'));
  const value = new Struct(two).put('A', new Struct(one).put('B', inner));

  it('flattens nested structs (nestedStruct)', () => {
    const t = configured(new Flatten<SourceRecord>('value'), {});
    const out = t.apply(rec({ valueSchema: two, value }));
    expect(out.valueSchema!.fields.map((f) => f.name)).toEqual(['A.B.int8', 'A.B.int64', 'A.B.float64', 'A.B.string', 'A.B.bytes']);
    const s = out.value as Struct;
    expect([s.get('A.B.int8'), s.get('A.B.int64'), s.get('A.B.float64'), s.get('A.B.string')]).toEqual([8, 64, 64.5, 'stringy']);
    expect(t.apply(rec({ valueSchema: two, value })).valueSchema).toBe(out.valueSchema);
  });
  it('flattens nested maps with a delimiter (nestedMapWithDelimiter)', () => {
    const t = configured(new Flatten<SourceRecord>('value'), { delimiter: '#' });
    const out = t.apply(rec({ value: { A: { B: { int8: 8, string: 'stringy', arr: [1, 2], nil: null } } } }));
    expect(out.value).toEqual({ 'A#B#int8': 8, 'A#B#string': 'stringy', 'A#B#arr': [1, 2], 'A#B#nil': null });
  });
  it('makes fields optional under optional parents and takes defaults from parents', () => {
    const bare = SchemaBuilder.struct().field('x', Schemas.INT32_SCHEMA).optional().build();
    const optChild = SchemaBuilder.struct().field('x', Schemas.INT32_SCHEMA).optional().defaultValue(new Struct(bare).put('x', 7)).build();
    const schema = SchemaBuilder.struct().field('c', optChild).field('y', Schemas.STRING_SCHEMA).build();
    const out = configured(new Flatten<SourceRecord>('value'), {}).apply(rec({ valueSchema: schema, value: new Struct(schema).put('y', 'y') }));
    const x = out.valueSchema!.field('c.x')!.schema;
    expect(x.optional).toBe(true);
    expect(x.defaultValue).toBe(7);
    expect((out.value as Struct).get('y')).toBe('y');
  });
  it('passes null through and refuses maps in structs and structs in maps', () => {
    const r = rec({ valueSchema: two, value: null });
    expect(configured(new Flatten<SourceRecord>('value'), {}).apply(r)).toBe(r);
    const withMap = SchemaBuilder.struct().field('m', SchemaBuilder.map(Schemas.STRING_SCHEMA, Schemas.STRING_SCHEMA).build()).build();
    expect(() => configured(new Flatten<SourceRecord>('value'), {}).apply(rec({ valueSchema: withMap, value: new Struct(withMap).put('m', {}) }))).toThrow(
      'Flatten transformation does not support MAP for record with schemas (for field m).',
    );
    expect(() => configured(new Flatten<SourceRecord>('key'), {}).apply(rec({ key: 'x' }))).toThrow(
      'Only Map objects supported in absence of schema for [flattening], found: java.lang.String',
    );
  });
});

describe('InsertField', () => {
  const props = {
    'topic.field': 'topic_field!',
    'partition.field': 'partition_field',
    'timestamp.field': 'timestamp_field?',
    'static.field': 'instance_id',
    'static.value': 'my-instance-id',
  };

  it('needs at least one field and a static value with the static field', () => {
    expect(() => configured(new InsertField('value'), {})).toThrow(new ConfigError('No field insertion configured'));
    expect(() => configured(new InsertField('value'), { 'static.field': 'x' })).toThrow(
      'Invalid value null for configuration static.value: No value specified for static field: x',
    );
  });
  it('inserts fields into a struct (schemaful)', () => {
    const schema = SchemaBuilder.struct().name('name').version(1).doc('doc').field('magic', Schemas.OPTIONAL_INT64_SCHEMA).build();
    const t = configured(new InsertField<SourceRecord>('value'), props);
    const out = t.apply(rec({ valueSchema: schema, value: new Struct(schema).put('magic', 42), timestamp: 1234 }));
    const s = out.valueSchema!;
    expect([s.name, s.version, s.doc]).toEqual(['name', 1, 'doc']);
    expect(s.field('topic_field')!.schema).toBe(Schemas.STRING_SCHEMA);
    expect(s.field('partition_field')!.schema).toBe(Schemas.OPTIONAL_INT32_SCHEMA);
    expect(s.field('timestamp_field')!.schema.name).toBe(TimestampType.LOGICAL_NAME);
    expect(s.field('timestamp_field')!.schema.optional).toBe(true);
    expect(s.field('instance_id')!.schema).toBe(Schemas.OPTIONAL_STRING_SCHEMA);
    const v = out.value as Struct;
    expect([v.get('magic'), v.get('topic_field'), v.get('partition_field'), v.get('instance_id')]).toEqual([42, 'test', 0, 'my-instance-id']);
    expect(v.get('timestamp_field')).toEqual(new Date(1234));
    expect(t.apply(rec({ valueSchema: schema, value: new Struct(schema), timestamp: 1 })).valueSchema).toBe(out.valueSchema);
  });
  it('inserts fields into a map (schemaless), offsets of sink records', () => {
    const t = configured(new InsertField<SinkRecord>('value'), { ...props, 'offset.field': 'offset' });
    const out = t.apply(sink({ value: { magic: 42 }, timestamp: 1234 }));
    expect(out.value).toEqual({ magic: 42, topic_field: 'test', partition_field: 0, timestamp_field: 1234, instance_id: 'my-instance-id', offset: 42 });
    expect(out.kafkaOffset).toBe(42);
    expect(out.originalTopic).toBe('test');
  });
  it('needs a sink record for offset.field, passes tombstones through', () => {
    const t = configured(new InsertField<SourceRecord>('value'), { 'offset.field': 'offset' });
    expect(() => t.apply(rec({ value: {} }))).toThrow('Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord');
    const tomb = rec({ value: null });
    expect(t.apply(tomb)).toBe(tomb);
  });
  it('inserts into keys', () => {
    const t = configured(new InsertField<SourceRecord>('key'), { 'topic.field': 't' });
    expect(t.apply(rec({ key: { k: 1 }, value: 'v' })).key).toEqual({ k: 1, t: 'test' });
  });
  it.each([
    [true, 'default'],
    [false, null],
  ])('replace.null.with.default=%s', (replace, expected) => {
    const schema = SchemaBuilder.struct().field('f', SchemaBuilder.string().optional().defaultValue('default').build()).build();
    const t = configured(new InsertField<SourceRecord>('value'), { 'topic.field': 't', 'replace.null.with.default': String(replace) });
    expect((t.apply(rec({ valueSchema: schema, value: new Struct(schema).put('f', null) })).value as Struct).getWithoutDefault('f') ?? null).toBe(expected);
  });
});

describe('HeaderFrom', () => {
  const schema = SchemaBuilder.struct().field('field1', Schemas.STRING_SCHEMA).field('field2', Schemas.INT32_SCHEMA).build();
  const value = new Struct(schema).put('field1', 'field1-value').put('field2', 2);

  it('copies fields to headers, keeping the value', () => {
    const t = configured(new HeaderFrom<SourceRecord>('value'), { fields: 'field1,field2', headers: 'h1,h2', operation: 'copy' });
    const headers = new Headers().add('existing', 'x');
    const out = t.apply(rec({ valueSchema: schema, value, headers }));
    expect(out.value).toBe(value);
    expect([...out.headers].map((h) => [h.key, h.value, h.schema])).toEqual([
      ['existing', 'x', null],
      ['h1', 'field1-value', Schemas.STRING_SCHEMA],
      ['h2', 2, Schemas.INT32_SCHEMA],
    ]);
    expect(headers.size).toBe(1);
  });
  it('moves fields to headers, removing them', () => {
    const t = configured(new HeaderFrom<SourceRecord>('value'), { fields: 'field1', headers: 'h1', operation: 'move' });
    const out = t.apply(rec({ valueSchema: schema, value }));
    expect(out.valueSchema!.fields.map((f) => f.name)).toEqual(['field2']);
    expect((out.value as Struct).get('field2')).toBe(2);
    expect(out.headers.lastWithName('h1')!.value).toBe('field1-value');
    const schemaless = configured(new HeaderFrom<SourceRecord>('key'), { fields: 'a,b', headers: 'a,b', operation: 'move' }).apply(
      rec({ key: { a: 1, c: 3 } }),
    );
    expect(schemaless.key).toEqual({ c: 3 });
    expect([...schemaless.headers].map((h) => [h.key, h.value])).toEqual([
      ['a', 1],
      ['b', null],
    ]);
  });
  it('validates its config', () => {
    expect(() => configured(new HeaderFrom('value'), { fields: 'a,b', headers: 'a', operation: 'copy' })).toThrow(
      "'fields' config must have the same number of elements as 'headers' config.",
    );
    expect(() => configured(new HeaderFrom('value'), { fields: 'a', headers: 'a', operation: 'cut' })).toThrow(
      'Invalid value cut for configuration operation: String must be one of: move, copy',
    );
    expect(() => configured(new HeaderFrom('value'), { fields: '', headers: 'a', operation: 'copy' })).toThrow(
      'Invalid value [] for configuration fields: Empty list',
    );
    expect(() => configured(new HeaderFrom<SourceRecord>('value'), { fields: 'a', headers: 'a', operation: 'copy' }).apply(rec({ value: 1 }))).toThrow(
      'Only Map objects supported in absence of schema for [header copy], found: java.lang.Long',
    );
  });
});

describe('SetSchemaMetadata', () => {
  it('needs a name or a version', () => {
    expect(() => configured(new SetSchemaMetadata('value'), {})).toThrow('Neither schema name nor version configured');
    expect(() => configured(new SetSchemaMetadata('value'), { 'schema.version': 'x' })).toThrow('Invalid value x for configuration schema.version');
  });
  it('sets name and version, rebuilding structs under the new schema', () => {
    const schema = SchemaBuilder.struct().name('old').version(1).doc('d').field('f', Schemas.STRING_SCHEMA).build();
    const t = configured(new SetSchemaMetadata<SourceRecord>('value'), { 'schema.name': 'foo', 'schema.version': '42' });
    const out = t.apply(rec({ valueSchema: schema, value: new Struct(schema).put('f', 'x') }));
    expect([out.valueSchema!.name, out.valueSchema!.version, out.valueSchema!.doc]).toEqual(['foo', 42, 'd']);
    expect((out.value as Struct).schema).toBe(out.valueSchema);
    expect((out.value as Struct).get('f')).toBe('x');
    const key = configured(new SetSchemaMetadata<SourceRecord>('key'), { 'schema.name': 'k' }).apply(rec({ keySchema: Schemas.STRING_SCHEMA, key: 'a' }));
    expect([key.keySchema!.name, key.keySchema!.type, key.key]).toEqual(['k', 'STRING', 'a']);
  });
  it('keeps map and array schemas, needs a schema', () => {
    const map = SchemaBuilder.map(Schemas.STRING_SCHEMA, Schemas.INT32_SCHEMA).optional().build();
    const out = configured(new SetSchemaMetadata<SourceRecord>('value'), { 'schema.version': '3' }).apply(rec({ valueSchema: map, value: { a: 1 } }));
    expect(out.valueSchema!.keySchema).toBe(Schemas.STRING_SCHEMA);
    expect(out.valueSchema!.optional).toBe(true);
    expect(out.valueSchema!.version).toBe(3);
    const tomb = rec({ value: null });
    expect(configured(new SetSchemaMetadata<SourceRecord>('value'), { 'schema.version': '3' }).apply(tomb)).toBe(tomb);
    expect(() => configured(new SetSchemaMetadata<SourceRecord>('value'), { 'schema.version': '3' }).apply(rec({ value: 'x' }))).toThrow(
      new DataError('Schema required for [updating schema metadata]'),
    );
  });
});
