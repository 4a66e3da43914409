import { DateType, Decimal, type Schema, SchemaBuilder, Schemas, Struct, TimeType, TimestampType, schemaEquals } from '@kconnect/api';
import { AvroData, avscType } from './avro-data';

const data = new AvroData();

/** Connect → Avro value → bytes → Avro value → Connect, through the schema text (as a registry would hold it). */
function roundTrip(schema: Schema | null, value: unknown, d = data): { schema: Schema | null; value: unknown } {
  const plan = d.writePlan(schema);
  const bytes = plan.type.toBuffer(plan.toAvro(value));
  const read = d.readPlan(plan.text);
  return { schema: read.schema, value: read.toConnect(read.type.fromBuffer(bytes)) };
}

describe('Connect schema → Avro schema (Confluent AvroData)', () => {
  test('primitives; int8/int16 as int with connect.type', () => {
    expect(data.fromConnectSchema(Schemas.INT32_SCHEMA)).toBe('int');
    expect(data.fromConnectSchema(Schemas.STRING_SCHEMA)).toBe('string');
    expect(data.fromConnectSchema(Schemas.INT8_SCHEMA)).toEqual({ type: 'int', 'connect.type': 'int8' });
    expect(data.fromConnectSchema(Schemas.INT16_SCHEMA)).toEqual({ type: 'int', 'connect.type': 'int16' });
    expect(data.fromConnectSchema(Schemas.OPTIONAL_INT64_SCHEMA)).toEqual(['null', 'long']);
    expect(new AvroData({ connectMetaData: false }).fromConnectSchema(Schemas.INT8_SCHEMA)).toBe('int');
  });

  test('logical types, in Java key order', () => {
    expect(data.fromConnectSchemaText(Decimal.schema(2))).toBe(
      '{"type":"bytes","scale":2,"precision":64,"connect.version":1,"connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}',
    );
    const withPrecision = Decimal.builder(3).parameter('connect.decimal.precision', '10').build();
    expect(data.fromConnectSchema(withPrecision)).toMatchObject({ scale: 3, precision: 10, logicalType: 'decimal' });
    expect(data.fromConnectSchemaText(DateType.SCHEMA)).toBe(
      '{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Date","logicalType":"date"}',
    );
    expect(data.fromConnectSchema(TimeType.SCHEMA)).toMatchObject({ type: 'int', logicalType: 'time-millis' });
    expect(data.fromConnectSchema(TimestampType.SCHEMA)).toMatchObject({ type: 'long', logicalType: 'timestamp-millis' });
  });

  test('structs: ConnectDefault names, optional fields as [null, T] with default null, defaults, metadata', () => {
    const inner = SchemaBuilder.struct().field('x', Schemas.INT32_SCHEMA).optional().build();
    const schema = SchemaBuilder.struct()
      .field('a', Schemas.OPTIONAL_STRING_SCHEMA)
      .field('b', SchemaBuilder.int32().defaultValue(7).build())
      .field('c', SchemaBuilder.string().optional().defaultValue('d').build())
      .field('inner', inner)
      .build();
    expect(data.fromConnectSchema(schema)).toEqual({
      type: 'record',
      name: 'ConnectDefault',
      namespace: 'io.confluent.connect.avro',
      fields: [
        { name: 'a', type: ['null', 'string'], default: null },
        { name: 'b', type: { type: 'int', 'connect.default': 7 }, default: 7 },
        { name: 'c', type: [{ type: 'string', 'connect.default': 'd' }, 'null'], default: 'd' },
        { name: 'inner', type: ['null', { type: 'record', name: 'ConnectDefault2', fields: [{ name: 'x', type: 'int' }] }], default: null },
      ],
    });
    const named = SchemaBuilder.struct().name('com.example.Reading').version(3).doc('a reading').field('v', Schemas.FLOAT64_SCHEMA).build();
    expect(data.fromConnectSchemaText(named)).toBe(
      '{"type":"record","name":"Reading","namespace":"com.example","fields":[{"name":"v","type":"double"}],"connect.doc":"a reading","connect.version":3,"connect.name":"com.example.Reading"}',
    );
  });

  test('maps: string keys as Avro maps, other keys as arrays of MapEntry records', () => {
    expect(data.fromConnectSchema(SchemaBuilder.map(Schemas.STRING_SCHEMA, Schemas.INT32_SCHEMA).build())).toEqual({ type: 'map', values: 'int' });
    expect(data.fromConnectSchema(SchemaBuilder.map(Schemas.INT32_SCHEMA, Schemas.STRING_SCHEMA).build())).toEqual({
      type: 'array',
      items: {
        type: 'record',
        name: 'MapEntry',
        namespace: 'io.confluent.connect.avro',
        fields: [
          { name: 'key', type: 'int' },
          { name: 'value', type: 'string' },
        ],
      },
    });
  });

  test('enums: parameters on a string, an Avro enum with enhanced.avro.schema.support', () => {
    const e = SchemaBuilder.string()
      .name('com.example.Color')
      .parameters({
        'io.confluent.connect.avro.Enum': 'com.example.Color',
        'io.confluent.connect.avro.Enum.RED': 'RED',
        'io.confluent.connect.avro.Enum.BLUE': 'BLUE',
      })
      .build();
    expect(data.fromConnectSchema(e)).toMatchObject({ type: 'string', 'connect.name': 'com.example.Color' });
    const enhanced = new AvroData({ enhancedSchemaSupport: true });
    expect(enhanced.fromConnectSchema(e)).toMatchObject({ type: 'enum', name: 'Color', namespace: 'com.example', symbols: ['RED', 'BLUE'] });
    const rt = roundTrip(e, 'BLUE', enhanced);
    expect(rt.value).toBe('BLUE');
    expect(schemaEquals(rt.schema, e)).toBe(true);
    expect(() => enhanced.fromConnectData(e, 'GREEN')).toThrow(/Invalid enum symbol/);
  });
});

describe('round trips (schema and value)', () => {
  const all = SchemaBuilder.struct()
    .name('com.example.All')
    .field('i8', Schemas.INT8_SCHEMA)
    .field('i16', Schemas.INT16_SCHEMA)
    .field('i32', Schemas.INT32_SCHEMA)
    .field('i64', Schemas.INT64_SCHEMA)
    .field('big', Schemas.INT64_SCHEMA)
    .field('f32', Schemas.FLOAT32_SCHEMA)
    .field('f64', Schemas.FLOAT64_SCHEMA)
    .field('bool', Schemas.BOOLEAN_SCHEMA)
    .field('str', Schemas.STRING_SCHEMA)
    .field('bytes', Schemas.BYTES_SCHEMA)
    .field('dec', Decimal.schema(2))
    .field('date', DateType.SCHEMA)
    .field('time', TimeType.SCHEMA)
    .field('ts', TimestampType.SCHEMA)
    .field('arr', SchemaBuilder.array(Schemas.OPTIONAL_STRING_SCHEMA).build())
    .field('smap', SchemaBuilder.map(Schemas.STRING_SCHEMA, Schemas.INT64_SCHEMA).build())
    .field('imap', SchemaBuilder.map(Schemas.INT32_SCHEMA, Schemas.STRING_SCHEMA).build())
    .field('opt', Schemas.OPTIONAL_STRING_SCHEMA)
    .field('nested', SchemaBuilder.struct().name('com.example.Nested').field('n', Schemas.INT32_SCHEMA).optional().build())
    .build();

  test('every type', () => {
    const nested = new Struct(all.field('nested')!.schema).put('n', 5);
    const s = new Struct(all)
      .put('i8', -8)
      .put('i16', 1600)
      .put('i32', -2_000_000_000)
      .put('i64', 1234567890123)
      .put('big', 9223372036854775807n)
      .put('f32', 1.5)
      .put('f64', Math.PI)
      .put('bool', true)
      .put('str', 'héllo 😀')
      .put('bytes', Buffer.from([0, 1, 255]))
      .put('dec', '-12.34')
      .put('date', new Date(Date.UTC(2024, 1, 29)))
      .put('time', new Date(45_296_789))
      .put('ts', new Date(1_700_000_000_123))
      .put('arr', ['a', null, 'c'])
      .put('smap', new Map([['k', 1]]))
      .put(
        'imap',
        new Map([
          [1, 'one'],
          [2, 'two'],
        ]),
      )
      .put('opt', null)
      .put('nested', nested);
    const rt = roundTrip(all, s);
    expect(schemaEquals(rt.schema, all)).toBe(true);
    const v = rt.value as Struct;
    expect(v.get('i8')).toBe(-8);
    expect(v.get('big')).toBe(9223372036854775807n);
    expect(v.get('i64')).toBe(1234567890123);
    expect(v.get('str')).toBe('héllo 😀');
    expect([...(v.get('bytes') as Uint8Array)]).toEqual([0, 1, 255]);
    expect(v.get('dec')).toBe('-12.34');
    expect((v.get('date') as Date).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect((v.get('time') as Date).getTime()).toBe(45_296_789);
    expect((v.get('ts') as Date).getTime()).toBe(1_700_000_000_123);
    expect(v.get('arr')).toEqual(['a', null, 'c']);
    expect(v.get('smap')).toEqual(new Map([['k', 1]]));
    expect(v.get('imap')).toEqual(
      new Map([
        [1, 'one'],
        [2, 'two'],
      ]),
    );
    expect(v.get('opt')).toBeNull();
    expect((v.get('nested') as Struct).get('n')).toBe(5);
  });

  test('defaults survive the round trip; a null field takes its default', () => {
    const schema = SchemaBuilder.struct()
      .field('b', SchemaBuilder.int32().defaultValue(7).build())
      .field('s', SchemaBuilder.string().optional().defaultValue('x').build())
      .build();
    const rt = roundTrip(schema, new Struct(schema));
    expect(schemaEquals(rt.schema, schema)).toBe(true);
    expect(rt.schema!.field('b')!.schema.defaultValue).toBe(7);
    expect((rt.value as Struct).get('b')).toBe(7);
    expect((rt.value as Struct).get('s')).toBe('x');
  });

  test('top-level primitives and optional values', () => {
    expect(roundTrip(Schemas.STRING_SCHEMA, 'x').value).toBe('x');
    expect(roundTrip(Schemas.OPTIONAL_INT32_SCHEMA, 3)).toEqual({ schema: Schemas.OPTIONAL_INT32_SCHEMA, value: 3 });
  });

  test('schemaless values use io.confluent.connect.avro.Anything', () => {
    expect(data.fromConnectSchema(null)).toMatchObject({ name: 'Anything', namespace: 'io.confluent.connect.avro' });
    const rt = roundTrip(null, { a: 1, b: [true, 'x', 2.5], c: null });
    expect(rt.schema).toBeNull();
    expect(rt.value).toEqual(
      new Map<unknown, unknown>([
        ['a', 1],
        ['b', [true, 'x', 2.5]],
        ['c', null],
      ]),
    );
    expect(() => data.fromConnectData(null, new Date())).toThrow(/Unknown Java type for schemaless data/);
    expect(() => data.fromConnectData(null, new Struct(SchemaBuilder.struct().build()))).toThrow(/Unknown Java type for schemaless data/);
  });

  test('invalid values are DataErrors', () => {
    expect(() => data.fromConnectData(Schemas.INT32_SCHEMA, 'x')).toThrow('Invalid type for INT32: string');
    expect(() => data.fromConnectData(Schemas.INT32_SCHEMA, null)).toThrow('Found null value for non-optional schema');
    const a = SchemaBuilder.struct().field('x', Schemas.INT32_SCHEMA).build();
    const b = SchemaBuilder.struct().field('y', Schemas.INT32_SCHEMA).build();
    expect(() => data.fromConnectData(a, new Struct(b).put('y', 1))).toThrow('Mismatching struct schema');
  });
});

describe('Avro → Connect for schemas not written by Connect', () => {
  test('records, enums, general unions, fixed, maps, relative names', () => {
    const avroSchema = {
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      doc: 'an order',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'DONE'] } },
        { name: 'choice', type: ['int', 'string'] },
        { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 2 } },
        { name: 'again', type: 'Status' },
        { name: 'tags', type: { type: 'map', values: 'string' }, default: {} },
      ],
    };
    const schema = data.toConnectSchema(avroSchema, 4);
    expect(schema.name).toBe('shop.Order');
    expect(schema.version).toBe(4);
    expect(schema.parameters).toEqual({ 'io.confluent.connect.avro.record.doc': 'an order' });
    expect(schema.field('status')!.schema.parameters).toEqual({
      'io.confluent.connect.avro.Enum': 'shop.Status',
      'io.confluent.connect.avro.Enum.NEW': 'NEW',
      'io.confluent.connect.avro.Enum.DONE': 'DONE',
    });
    const choice = schema.field('choice')!.schema;
    expect(choice.name).toBe('io.confluent.connect.avro.Union');
    expect(choice.fields.map((f) => f.name)).toEqual(['int', 'string']);
    expect(schema.field('hash')!.schema.parameters).toEqual({ 'connect.fixed.size': '2' });
    expect(schema.field('tags')!.schema.parameters).toEqual({ 'io.confluent.connect.avro.field.default': 'true' });

    const type = avscType(avroSchema);
    const bytes = type.toBuffer({ id: 1, status: 'DONE', choice: 'x', hash: Buffer.from([1, 2]), again: 'NEW', tags: { a: 'b' } });
    const plan = data.readPlan(JSON.stringify(avroSchema));
    const v = plan.toConnect(plan.type.fromBuffer(bytes)) as Struct;
    expect(v.get('status')).toBe('DONE');
    expect((v.get('choice') as Struct).get('string')).toBe('x');
    expect((v.get('choice') as Struct).get('int')).toBeNull();
    expect(v.get('tags')).toEqual(new Map([['a', 'b']]));
  });

  test('standalone null schemas are refused', () => {
    expect(() => data.toConnectSchema('null')).toThrow('Standalone null schemas are not supported by this converter');
  });
});
