import {
  ConfigError,
  DataError,
  DateType,
  Decimal,
  doubleKeys,
  Headers,
  SchemaBuilder,
  Schemas,
  SchemaType,
  type SourceRecord,
  sourceRecord,
  Struct,
  TimestampType,
  TimeType,
} from '@kconnect/api';
import { Cast } from './cast';

const cast = (side: 'key' | 'value', props: Record<string, string>) => {
  const c = new Cast<SourceRecord>(side);
  c.configure(props);
  return c;
};
const rec = (r: Partial<SourceRecord>) => sourceRecord({ topic: 'topic', kafkaPartition: 0, ...r });

describe('Cast config (CastTest)', () => {
  it.each([
    ['', 'Must specify at least one field to cast.'],
    ['foo:faketype', 'Invalid type found in casting spec: faketype'],
    ['foo:array', 'Cast transformation does not support casting to ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]'],
    ['array', 'Cast transformation does not support casting to ARRAY'],
    ['foo:bytes', 'Cast transformation does not support casting to BYTES'],
    ['foo:int8:extra', 'Invalid rename mapping: foo:int8:extra'],
    ['foo:int8,int32', 'Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec'],
  ])('rejects spec %j', (spec, message) => {
    expect(() => cast('key', { spec })).toThrow(ConfigError);
    expect(() => cast('key', { spec })).toThrow(message);
  });
  it('reports a missing spec', () => {
    expect(() => new Cast('value').configure({})).toThrow('Missing required configuration "spec" which has no default value.');
  });
});

describe('Cast whole values', () => {
  it('passes null values through unchanged', () => {
    const r = rec({ keySchema: Schemas.STRING_SCHEMA, key: 'key', valueSchema: Schemas.STRING_SCHEMA, value: null });
    expect(cast('value', { spec: 'foo:int64' }).apply(r)).toBe(r);
    const k = rec({ key: null, value: 'x' });
    expect(cast('key', { spec: 'int8' }).apply(k)).toBe(k);
  });
  it.each([
    ['int8', SchemaType.INT8, 42],
    ['int16', SchemaType.INT16, 42],
    ['int32', SchemaType.INT32, 42],
    ['int64', SchemaType.INT64, 42],
    ['float32', SchemaType.FLOAT32, 42],
    ['float64', SchemaType.FLOAT64, 42],
    ['boolean', SchemaType.BOOLEAN, true],
    ['string', SchemaType.STRING, '42'],
  ])('casts an INT32 value to %s with schema', (spec, type, expected) => {
    const out = cast('value', { spec }).apply(rec({ valueSchema: Schemas.INT32_SCHEMA, value: 42 }));
    expect(out.valueSchema!.type).toBe(type);
    expect(out.value).toBe(expected);
  });
  it('casts 0 to false and keys too', () => {
    expect(cast('value', { spec: 'boolean' }).apply(rec({ valueSchema: Schemas.INT32_SCHEMA, value: 0 })).value).toBe(false);
    const out = cast('key', { spec: 'int8' }).apply(rec({ keySchema: Schemas.INT32_SCHEMA, key: 42 }));
    expect(out.keySchema!.type).toBe(SchemaType.INT8);
    expect(out.key).toBe(42);
  });
  it('narrows like Java casts and parses strings like Integer.parseInt', () => {
    expect(cast('value', { spec: 'int8' }).apply(rec({ valueSchema: Schemas.INT32_SCHEMA, value: 300 })).value).toBe(44);
    expect(cast('value', { spec: 'int32' }).apply(rec({ valueSchema: Schemas.FLOAT64_SCHEMA, value: -3.9 })).value).toBe(-3);
    expect(cast('value', { spec: 'int32' }).apply(rec({ valueSchema: Schemas.FLOAT64_SCHEMA, value: 1e12 })).value).toBe(2147483647);
    expect(cast('value', { spec: 'int16' }).apply(rec({ value: '-123' })).value).toBe(-123);
    expect(() => cast('value', { spec: 'int8' }).apply(rec({ value: '300' }))).toThrow('Value (300) was out of range for requested data type');
    expect(cast('value', { spec: 'float64' }).apply(rec({ value: '1.5e3' })).value).toBe(1500);
    expect(cast('value', { spec: 'boolean' }).apply(rec({ value: 'TRUE' })).value).toBe(true);
    expect(cast('value', { spec: 'int64' }).apply(rec({ value: '9223372036854775807' })).value).toBe(9223372036854775807n);
  });
  it('keeps the default of the whole-value schema, cast', () => {
    const schema = SchemaBuilder.int64().defaultValue(-42).build();
    const out = cast('value', { spec: 'int32' }).apply(rec({ valueSchema: schema, value: 42 }));
    expect(out.valueSchema!.type).toBe(SchemaType.INT32);
    expect(out.valueSchema!.defaultValue).toBe(-42);
  });
  it('casts decimals and dates to strings', () => {
    const dec = Decimal.schema(0);
    expect(cast('value', { spec: 'string' }).apply(rec({ valueSchema: dec, value: '42' })).value).toBe('42');
    const ts = new Date(Date.UTC(2023, 10, 14, 22, 13, 20, 5));
    expect(cast('value', { spec: 'string' }).apply(rec({ valueSchema: TimestampType.SCHEMA, value: ts })).value).toBe('2023-11-14T22:13:20.005Z');
  });
  it.each([
    ['int8', 42],
    ['int64', 42],
    ['float64', 42],
    ['boolean', true],
    ['string', '42'],
  ])('casts schemaless 42 to %s', (spec, expected) => {
    const out = cast('value', { spec }).apply(rec({ value: 42 }));
    expect(out.valueSchema).toBeNull();
    expect(out.value).toBe(expected);
  });
  it('refuses unsupported schemaless values', () => {
    expect(() => cast('value', { spec: 'int8' }).apply(rec({ value: [1] }))).toThrow(
      'Cast transformation does not support casting from ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]',
    );
    expect(() => cast('value', { spec: 'int8' }).apply(rec({ value: new Date(0) }))).toThrow(
      "Cast transformation was passed a value of type class java.util.Date which is not supported by Connect's data API",
    );
  });
});

describe('Cast fields', () => {
  it('casts logical types from their representation (castLogicalToPrimitive)', () => {
    const schema = SchemaBuilder.struct()
      .field('date_to_int32', DateType.SCHEMA)
      .field('timestamp_to_int64', TimestampType.SCHEMA)
      .field('time_to_int64', TimeType.SCHEMA)
      .field('decimal_to_int32', Decimal.schema(0))
      .field('null_timestamp_to_int32', TimestampType.builder().optional().build())
      .build();
    const v = new Struct(schema)
      .put('date_to_int32', new Date(86_400_000))
      .put('timestamp_to_int64', new Date(0))
      .put('time_to_int64', new Date(1))
      .put('decimal_to_int32', '2147483648')
      .put('null_timestamp_to_int32', null);
    const t = cast('value', {
      spec: 'date_to_int32:int32,timestamp_to_int64:int64,time_to_int64:int64,decimal_to_int32:int32,null_timestamp_to_int32:int32',
    });
    const out = t.apply(rec({ valueSchema: schema, value: v })).value as Struct;
    expect(out.get('date_to_int32')).toBe(1);
    expect(out.get('timestamp_to_int64')).toBe(0);
    expect(out.get('time_to_int64')).toBe(1);
    expect(out.get('decimal_to_int32')).toBe(-2147483648);
    expect(out.get('null_timestamp_to_int32')).toBeNull();
    expect(out.schema.field('null_timestamp_to_int32')!.schema.type).toBe(SchemaType.INT32);
    expect(out.schema.field('null_timestamp_to_int32')!.schema.optional).toBe(true);
  });
  it('casts struct fields, their defaults, bytes to base64 (castFieldsWithSchema)', () => {
    const schema = SchemaBuilder.struct()
      .field('int8', Schemas.OPTIONAL_INT8_SCHEMA)
      .field('int32', SchemaBuilder.int32().defaultValue(2).build())
      .field('float64', SchemaBuilder.float64().defaultValue(-1.125).build())
      .field('boolean', Schemas.BOOLEAN_SCHEMA)
      .field('string', Schemas.STRING_SCHEMA)
      .field('bytes', Schemas.BYTES_SCHEMA)
      .field('kept', Schemas.STRING_SCHEMA)
      .build();
    const v = new Struct(schema)
      .put('int8', 8)
      .put('int32', 32)
      .put('float64', -64)
      .put('boolean', true)
      .put('string', '42')
      .put('bytes', Buffer.from('fedcba9876543210', 'hex'))
      .put('kept', 'k');
    const t = cast('value', { spec: 'int8:int16,int32:int64,float64:boolean,boolean:int8,string:int32,bytes:string' });
    const out = t.apply(rec({ valueSchema: schema, value: v }));
    const s = out.value as Struct;
    expect(s.get('int8')).toBe(8);
    expect(out.valueSchema!.field('int8')!.schema.type).toBe(SchemaType.INT16);
    expect(out.valueSchema!.field('int8')!.schema.optional).toBe(true);
    expect(s.get('int32')).toBe(32);
    expect(out.valueSchema!.field('int32')!.schema.defaultValue).toBe(2);
    expect(s.get('float64')).toBe(true);
    expect(out.valueSchema!.field('float64')!.schema.defaultValue).toBe(true);
    expect(s.get('boolean')).toBe(1);
    expect(s.get('string')).toBe(42);
    expect(s.get('bytes')).toBe('/ty6mHZUMhA=');
    expect(s.get('kept')).toBe('k');
    expect(out.valueSchema!.field('kept')!.schema).toBe(Schemas.STRING_SCHEMA);
    // the derived schema is cached per input schema
    expect(t.apply(rec({ valueSchema: schema, value: v })).valueSchema).toBe(out.valueSchema);
  });
  it.each([
    [true, '10'],
    [false, null],
  ])('replace.null.with.default=%s', (replace, expected) => {
    const schema = SchemaBuilder.struct().field('magic', SchemaBuilder.int32().optional().defaultValue(10).build()).build();
    const t = cast('value', { spec: 'magic:string', 'replace.null.with.default': String(replace) });
    const out = t.apply(rec({ valueSchema: schema, value: new Struct(schema).put('magic', null) }));
    expect((out.value as Struct).getWithoutDefault('magic')).toBe(expected);
  });
  it('casts map fields without schema, absent fields become null (castFieldsSchemaless)', () => {
    const t = cast('value', { spec: 'int8:int16,int32:int64,int64:boolean,float32:float64,boolean:int8,string:int32,absent:int8' });
    const out = t.apply(rec({ value: { int8: 8, int32: 32, int64: 64, float32: 32, boolean: true, string: '42', other: 'x' } })).value as Record<
      string,
      unknown
    >;
    expect(out).toEqual({ int8: 8, int32: 32, int64: true, float32: 32, boolean: 1, string: 42, other: 'x', absent: null });
    // float64 results are Java Doubles: marked so converters write 32.0
    expect([...(doubleKeys(out) ?? [])]).toEqual(['float32']);
    const m = t.apply(rec({ value: new Map<string, unknown>([['int8', 8]]) })).value as Map<string, unknown>;
    expect(m.get('int8')).toBe(8);
  });
  it('needs a Struct with a schema and a Map without', () => {
    expect(() => cast('value', { spec: 'a:int8' }).apply(rec({ valueSchema: Schemas.STRING_SCHEMA, value: 'x' }))).toThrow(DataError);
    expect(() => cast('value', { spec: 'a:int8' }).apply(rec({ value: 'x' }))).toThrow(
      'Only Map objects supported in absence of schema for [cast types], found: java.lang.String',
    );
  });
  it('keeps headers and other fields', () => {
    const headers = new Headers().add('h', 'v');
    const out = cast('value', { spec: 'int8' }).apply(rec({ value: 1, headers, sourceOffset: { position: 3 }, timestamp: 5 }));
    expect(out.headers).toBe(headers);
    expect(out.sourceOffset).toEqual({ position: 3 });
    expect(out.timestamp).toBe(5);
  });
});
