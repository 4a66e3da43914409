import {
  ConfigError,
  DataError,
  Decimal,
  doubleKeys,
  markDouble,
  SchemaBuilder,
  Schemas,
  type SinkRecord,
  type SourceRecord,
  sourceRecord,
  Struct,
} from '@kconnect/api';
import { parseFieldPathV2 } from './field-path';
import { ExtractField, HoistField, MaskField, ReplaceField, ValueToKey } from './fields';

const rec = (r: Partial<SourceRecord>) => sourceRecord({ topic: 'test', kafkaPartition: 0, ...r });
function configured<T extends { configure(p: Record<string, string>): void }>(t: T, props: Record<string, string>): T {
  t.configure(props);
  return t;
}

describe('field paths (FieldPathNotationTest)', () => {
  it.each<[string, string[]]>([
    ['..', ['', '', '']],
    ['foo..', ['foo', '', '']],
    ['.bar.', ['', 'bar', '']],
    ['..baz', ['', '', 'baz']],
    ['', []],
    ['foobarbaz', ['foobarbaz']],
    ['foo.bar.baz', ['foo', 'bar', 'baz']],
    ['foo`bar`baz', ['foo`bar`baz']],
    ['`foo.bar.baz`', ['foo.bar.baz']],
    ['foo.`bar.baz`', ['foo', 'bar.baz']],
    ['`foo.bar`.baz', ['foo.bar', 'baz']],
    ['foo.`bar`.baz', ['foo', 'bar', 'baz']],
    ['foo.``bar.baz`', ['foo', '`bar.baz']],
    ['foo.`bar.baz``', ['foo', 'bar.baz`']],
    ['foo.`ba`r.baz`', ['foo', 'ba`r.baz']],
    ['foo.ba`r.baz', ['foo', 'ba`r', 'baz']],
    ['foo.``bar``.baz', ['foo', '`bar`', 'baz']],
    ['``foo.bar.baz``', ['`foo.bar.baz`']],
    ['foo.`bar\\`.baz`', ['foo', 'bar`.baz']],
    ['foo.`bar.`baz`', ['foo', 'bar.`baz']],
    ['foo.`bar\\`.`baz`', ['foo', 'bar`.`baz']],
    ['foo.`bar\\\\`.\\`baz`', ['foo', 'bar\\`.\\`baz']],
  ])('parses %j', (path, steps) => {
    expect(parseFieldPathV2(path)).toEqual(steps);
  });
  it.each([
    ['`foo.bar.baz', 0],
    ['foo.`bar.baz', 4],
    ['foo.bar.`baz', 8],
    ['foo.bar.`baz\\`', 8],
  ])('refuses %j', (path, at) => {
    expect(() => parseFieldPathV2(path)).toThrow(
      `Incomplete backtick pair in path: [${path}], consider adding a backslash before backtick at position ${at} to escape it`,
    );
  });
});

describe('ExtractField', () => {
  const nested = SchemaBuilder.struct().field('magic', Schemas.INT32_SCHEMA).build();
  const schema = SchemaBuilder.struct().field('magic', Schemas.INT32_SCHEMA).field('nested', nested).build();
  const value = new Struct(schema).put('magic', 42).put('nested', new Struct(nested).put('magic', 43));

  it('extracts a top-level field, schemaless and with schema', () => {
    const t = configured(new ExtractField<SourceRecord>('key'), { field: 'magic' });
    expect(t.apply(rec({ key: { magic: 42 } })).key).toBe(42);
    const out = t.apply(rec({ keySchema: schema, key: value }));
    expect(out.keySchema).toBe(Schemas.INT32_SCHEMA);
    expect(out.key).toBe(42);
  });
  it('passes null through and reads `a.b` literally with V1', () => {
    const t = configured(new ExtractField<SourceRecord>('key'), { field: 'magic' });
    expect(t.apply(rec({ key: null })).key).toBeNull();
    const withSchema = t.apply(rec({ keySchema: schema, key: null }));
    expect(withSchema.keySchema).toBe(Schemas.INT32_SCHEMA);
    expect(withSchema.key).toBeNull();
    const v1 = configured(new ExtractField<SourceRecord>('value'), { field: 'nested.magic' });
    expect(v1.apply(rec({ value: { 'nested.magic': 1 } })).value).toBe(1);
  });
  it('extracts nested fields with field.syntax.version=V2 (case-insensitive)', () => {
    const t = configured(new ExtractField<SourceRecord>('value'), { field: 'nested.magic', 'field.syntax.version': 'v2' });
    expect(t.apply(rec({ value: { nested: { magic: 43 } } })).value).toBe(43);
    expect(t.apply(rec({ value: { nested: null } })).value).toBeNull();
    const out = t.apply(rec({ valueSchema: schema, value }));
    expect(out.valueSchema).toBe(Schemas.INT32_SCHEMA);
    expect(out.value).toBe(43);
  });
  it('fails on unknown fields and wrong containers', () => {
    expect(() => configured(new ExtractField<SourceRecord>('key'), { field: 'nonexistent' }).apply(rec({ keySchema: schema, key: value }))).toThrow(
      'Unknown field: nonexistent',
    );
    expect(() =>
      configured(new ExtractField<SourceRecord>('key'), { field: 'magic.nonexistent', 'field.syntax.version': 'V2' }).apply(
        rec({ keySchema: schema, key: value }),
      ),
    ).toThrow('Unknown field: magic.nonexistent');
    expect(() => configured(new ExtractField<SourceRecord>('key'), { field: 'magic' }).apply(rec({ key: 'x' }))).toThrow(
      'Only Map objects supported in absence of schema for [field extraction], found: java.lang.String',
    );
    expect(() => configured(new ExtractField<SourceRecord>('key'), { field: 'magic' }).apply(rec({ keySchema: schema, key: 'x' }))).toThrow(
      'Only Struct objects supported for [field extraction], found: java.lang.String',
    );
  });
  it('validates field.syntax.version', () => {
    expect(() => configured(new ExtractField('key'), { field: 'a', 'field.syntax.version': 'V3' })).toThrow(
      'Invalid value V3 for configuration field.syntax.version: String must be one of (case insensitive): V1, V2',
    );
    expect(() => configured(new ExtractField('key'), {})).toThrow(ConfigError);
  });
  it.each([
    [true, 10],
    [false, null],
  ])('replace.null.with.default=%s (KIP-1040)', (replace, expected) => {
    const s = SchemaBuilder.struct().field('magic', SchemaBuilder.int32().optional().defaultValue(10).build()).build();
    const t = configured(new ExtractField<SourceRecord>('value'), { field: 'magic', 'replace.null.with.default': String(replace) });
    expect(t.apply(rec({ valueSchema: s, value: new Struct(s).put('magic', null) })).value).toBe(expected);
  });
});

describe('HoistField', () => {
  it('wraps schemaless values in a map', () => {
    const t = configured(new HoistField<SourceRecord>('key'), { field: 'magic' });
    const out = t.apply(rec({ key: 42 }));
    expect(out.keySchema).toBeNull();
    expect(out.key).toEqual({ magic: 42 });
  });
  it('wraps values with a schema in a struct, caching the schema', () => {
    const t = configured(new HoistField<SourceRecord>('key'), { field: 'magic' });
    const out = t.apply(rec({ keySchema: Schemas.INT32_SCHEMA, key: 42 }));
    expect(out.keySchema!.fields.map((f) => [f.name, f.schema])).toEqual([['magic', Schemas.INT32_SCHEMA]]);
    expect((out.key as Struct).get('magic')).toBe(42);
    expect(t.apply(rec({ keySchema: Schemas.INT32_SCHEMA, key: 7 })).keySchema).toBe(out.keySchema);
  });
  it('hoists a null into an optional schema', () => {
    const t = configured(new HoistField<SourceRecord>('value'), { field: 'v' });
    expect(((t.apply(rec({ valueSchema: Schemas.OPTIONAL_STRING_SCHEMA, value: null })).value as Struct).get('v') as unknown) ?? null).toBeNull();
  });
});

describe('ValueToKey', () => {
  it('builds a schemaless key', () => {
    const t = configured(new ValueToKey<SourceRecord>(), { fields: 'a,b' });
    const value = { a: 1, b: 2, c: 3 };
    markDouble(value, 'b');
    const out = t.apply(rec({ value }));
    expect(out.key).toEqual({ a: 1, b: 2 });
    expect([...(doubleKeys(out.key as object) ?? [])]).toEqual(['b']);
    expect(out.value).toBe(value);
  });
  it('builds a struct key', () => {
    const schema = SchemaBuilder.struct().field('a', Schemas.INT32_SCHEMA).field('b', Schemas.INT32_SCHEMA).field('c', Schemas.INT32_SCHEMA).build();
    const value = new Struct(schema).put('a', 1).put('b', 2).put('c', 3);
    const out = configured(new ValueToKey<SourceRecord>(), { fields: 'a,b' }).apply(rec({ valueSchema: schema, value }));
    expect(out.keySchema!.fields.map((f) => f.name)).toEqual(['a', 'b']);
    expect((out.key as Struct).get('a')).toBe(1);
    expect((out.key as Struct).get('b')).toBe(2);
    expect(out.value).toBe(value);
  });
  it('fails on a missing field and on an empty list', () => {
    const schema = SchemaBuilder.struct().field('a', Schemas.INT32_SCHEMA).build();
    expect(() =>
      configured(new ValueToKey<SourceRecord>(), { fields: 'not_exist' }).apply(rec({ valueSchema: schema, value: new Struct(schema).put('a', 1) })),
    ).toThrow(new DataError('Field does not exist: not_exist'));
    expect(() => configured(new ValueToKey(), { fields: '' })).toThrow('Invalid value [] for configuration fields: Empty list');
  });
});

describe('ReplaceField', () => {
  it('excludes, includes and renames without schema (ReplaceFieldTest.schemaless)', () => {
    const t = configured(new ReplaceField<SourceRecord>('value'), { exclude: 'dont', renames: 'abc:xyz,foo:bar' });
    const out = t.apply(rec({ value: { dont: 'whatever', abc: 42, foo: true, etc: 'etc' } }));
    expect(out.value).toEqual({ xyz: 42, bar: true, etc: 'etc' });
    const inc = configured(new ReplaceField<SourceRecord>('value'), { include: 'abc,foo', renames: 'abc:xyz' });
    expect(inc.apply(rec({ value: { dont: 1, abc: 42, foo: true, etc: 'etc' } })).value).toEqual({ xyz: 42, foo: true });
  });
  it('does the same with a schema, keeping schema metadata', () => {
    const schema = SchemaBuilder.struct()
      .name('my.Value')
      .version(3)
      .field('dont', Schemas.STRING_SCHEMA)
      .field('abc', Schemas.INT32_SCHEMA)
      .field('foo', Schemas.BOOLEAN_SCHEMA)
      .field('etc', Schemas.STRING_SCHEMA)
      .build();
    const value = new Struct(schema).put('dont', 'whatever').put('abc', 42).put('foo', true).put('etc', 'etc');
    const t = configured(new ReplaceField<SourceRecord>('value'), { exclude: 'dont', renames: 'abc:xyz,foo:bar' });
    const out = t.apply(rec({ valueSchema: schema, value }));
    expect(out.valueSchema!.name).toBe('my.Value');
    expect(out.valueSchema!.version).toBe(3);
    expect(out.valueSchema!.fields.map((f) => f.name)).toEqual(['xyz', 'bar', 'etc']);
    const s = out.value as Struct;
    expect([s.get('xyz'), s.get('bar'), s.get('etc')]).toEqual([42, true, 'etc']);
  });
  it('works on keys and passes null through', () => {
    const t = configured(new ReplaceField<SourceRecord>('key'), { renames: 'a:b' });
    expect(t.apply(rec({ key: { a: 1 } })).key).toEqual({ b: 1 });
    const r = rec({ key: null });
    expect(t.apply(r)).toBe(r);
  });
  it('validates renames', () => {
    expect(() => configured(new ReplaceField('value'), { renames: 'a:b:c' })).toThrow(
      'Invalid value [a:b:c] for configuration renames: Invalid rename mapping: a:b:c',
    );
    expect(new ReplaceField('value').config().validate({ renames: 'x' })[2]!.errors).toEqual([
      'Invalid value [x] for configuration renames: Invalid rename mapping: x',
    ]);
  });
});

describe('MaskField', () => {
  const schema = SchemaBuilder.struct()
    .field('magic', Schemas.INT32_SCHEMA)
    .field('bool', Schemas.BOOLEAN_SCHEMA)
    .field('byte', Schemas.INT8_SCHEMA)
    .field('long', Schemas.INT64_SCHEMA)
    .field('float', Schemas.FLOAT32_SCHEMA)
    .field('string', Schemas.STRING_SCHEMA)
    .field('decimal', Decimal.schema(0))
    .field('array', SchemaBuilder.array(Schemas.INT32_SCHEMA).build())
    .field('map', SchemaBuilder.map(Schemas.STRING_SCHEMA, Schemas.STRING_SCHEMA).build())
    .field('withDefault', SchemaBuilder.string().optional().defaultValue('default').build())
    .build();
  const value = new Struct(schema)
    .put('magic', 42)
    .put('bool', true)
    .put('byte', 42)
    .put('long', 42)
    .put('float', 42.5)
    .put('string', 'blabla')
    .put('decimal', '42')
    .put('array', [1, 2, 3])
    .put('map', { what: 'what' })
    .put('withDefault', null);
  const fields = 'bool,byte,long,float,string,decimal,array,map,withDefault';

  it('masks with the null value of each type (withSchema)', () => {
    const t = configured(new MaskField<SinkRecord>('value'), { fields, 'replace.null.with.default': 'false' });
    const out = t.apply({ ...rec({ valueSchema: schema, value }), kafkaOffset: 0 } as unknown as SinkRecord).value as Struct;
    expect(out.get('magic')).toBe(42);
    expect(out.get('bool')).toBe(false);
    expect(out.get('byte')).toBe(0);
    expect(out.get('long')).toBe(0);
    expect(out.get('float')).toBe(0);
    expect(out.get('string')).toBe('');
    expect(out.get('decimal')).toBe('0');
    expect(out.get('array')).toEqual([]);
    expect(out.get('map')).toEqual({});
    expect(out.getWithoutDefault('withDefault')).toBeNull();
  });
  it('masks schemaless values', () => {
    const t = configured(new MaskField<SourceRecord>('value'), { fields: 'bool,int,string,date,list,map' });
    const out = t.apply(rec({ value: { magic: 42, bool: true, int: 42, string: 'x', date: new Date(5), list: [1], map: { k: 'v' } } })).value;
    expect(out).toEqual({ magic: 42, bool: false, int: 0, string: '', date: new Date(0), list: [], map: {} });
  });
  it('masks with a replacement converted to the field type', () => {
    const t = configured(new MaskField<SourceRecord>('value'), { fields: 'byte,long,float,string,decimal', replacement: '123' });
    const out = t.apply(rec({ valueSchema: schema, value })).value as Struct;
    expect([out.get('byte'), out.get('long'), out.get('float'), out.get('string'), out.get('decimal')]).toEqual([123, 123, 123, '123', '123']);
    const d = configured(new MaskField<SourceRecord>('value'), { fields: 'd', replacement: '1' });
    const m = { d: 2 };
    markDouble(m, 'd');
    const masked = d.apply(rec({ value: m })).value as object;
    expect(masked).toEqual({ d: 1 });
    expect([...(doubleKeys(masked) ?? [])]).toEqual(['d']);
  });
  it('refuses replacements it cannot apply', () => {
    expect(() => configured(new MaskField<SourceRecord>('value'), { fields: 'bool', replacement: 'x' }).apply(rec({ value: { bool: true } }))).toThrow(
      'Cannot mask value of type class java.lang.Boolean with custom replacement.',
    );
    expect(() => configured(new MaskField<SourceRecord>('value'), { fields: 'int', replacement: 'foo' }).apply(rec({ value: { int: 1 } }))).toThrow(DataError);
    expect(() => configured(new MaskField('value'), { fields: 'int', replacement: '' })).toThrow(
      'Invalid value  for configuration replacement: String must be non-empty',
    );
    expect(() => configured(new MaskField<SourceRecord>('value'), { fields: 'b' }).apply(rec({ value: { b: Buffer.from('x') } }))).toThrow(
      'Cannot mask value of type: class [B',
    );
  });
});
