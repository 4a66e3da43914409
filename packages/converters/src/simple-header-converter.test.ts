import { DateType, Decimal, SchemaBuilder, Schemas, SchemaType, Struct } from '@kconnect/api';
import { SimpleHeaderConverter, convertToString, parseString } from './index';
import { b64, buildSchema, canon, compareForms, loadVectors, untag, vectorBytes } from '../test-vectors/support';
import type { Vector } from '../test-vectors/support';

const file = loadVectors('simple-header-converter.json');
const conv = new SimpleHeaderConverter();

/** Where we knowingly differ from Java, and why. */
const KNOWN_DIFFERENCES: Record<string, string> = {
  'schemaless double': 'a JavaScript number cannot tell 12.0 from 12: whole numbers without a schema are written as integers',
};

const rows = (kind: Vector['kind']): [string, Vector][] =>
  file.vectors.filter((v) => v.kind === kind && !(v.name in KNOWN_DIFFERENCES)).map((v) => [v.name, v]);

describe(`SimpleHeaderConverter matches Kafka ${file.kafkaVersion}`, () => {
  it('has the vectors', () => {
    expect(file.vectors.length).toBe(file.count);
  });

  it.each(rows('write'))('write %s', (_n, v) => {
    const schema = buildSchema(v.schema);
    const bytes = conv.fromConnectHeader('t', 'h', schema, untag(v.value!, schema));
    if (v.text !== undefined) expect(Buffer.from(bytes!).toString('utf8')).toBe(v.text);
    expect(b64(bytes)).toBe(v.bytes);
    const forms = compareForms(conv.toConnectHeader('t', 'h', vectorBytes(v)), v.readBack!);
    expect(forms.ours).toEqual(forms.java);
  });

  it.each(rows('read'))('%s', (_n, v) => {
    const forms = compareForms(conv.toConnectHeader('t', 'h', vectorBytes(v)), v.result!);
    expect(forms.ours).toEqual(forms.java);
  });

  it.each(Object.entries(KNOWN_DIFFERENCES))('known difference: %s (%s)', (name) => {
    expect(file.vectors.find((v) => v.name === name)).toBeDefined();
    expect(Buffer.from(conv.fromConnectHeader('t', 'h', null, 12.0)!).toString()).toBe('12');
  });
});

describe('SimpleHeaderConverter', () => {
  const read = (s: string) => conv.toConnectHeader('t', 'h', Buffer.from(s, 'utf8'));

  it('infers the smallest fitting integer type', () => {
    expect(read('100')).toEqual({ schema: Schemas.INT8_SCHEMA, value: 100 });
    expect(read('1000').schema).toBe(Schemas.INT16_SCHEMA);
    expect(read('100000').schema).toBe(Schemas.INT32_SCHEMA);
    expect(read('10000000000').schema).toBe(Schemas.INT64_SCHEMA);
    expect(read('9223372036854775807').value).toBe(2n ** 63n - 1n);
  });
  it('reads arrays and maps with a common schema', () => {
    const arr = read('[1, 2000]');
    expect(arr.schema?.type).toBe(SchemaType.ARRAY);
    expect(arr.schema?.valueSchema?.type).toBe(SchemaType.INT16);
    expect(arr.value).toEqual([1, 2000]);
    const map = read('{"a":true,"b":false}');
    expect(map.schema?.keySchema?.type).toBe(SchemaType.STRING);
    expect(map.value).toEqual(
      new Map([
        ['a', true],
        ['b', false],
      ]),
    );
  });
  it('falls back to a string for text it cannot parse', () => {
    expect(read('{oops')).toEqual({ schema: Schemas.STRING_SCHEMA, value: '{oops' });
    expect(read('[1,null]')).toEqual({ schema: Schemas.STRING_SCHEMA, value: '[1,null]' });
  });
  it('reads null bytes and the literal null as null', () => {
    expect(conv.toConnectHeader('t', 'h', null)).toEqual({ schema: null, value: null });
    expect(read('null')).toEqual({ schema: null, value: null });
    expect(conv.fromConnectHeader('t', 'h', Schemas.OPTIONAL_STRING_SCHEMA, null)).toBeNull();
  });
  it('round-trips typical header values', () => {
    const st = SchemaBuilder.struct().field('a', Schemas.INT32_SCHEMA).build();
    const cases: [ReturnType<typeof buildSchema>, unknown][] = [
      [Schemas.STRING_SCHEMA, 'trace-1234'],
      [Schemas.INT64_SCHEMA, 1700000000000],
      [Schemas.BOOLEAN_SCHEMA, false],
      [DateType.SCHEMA, new Date(Date.UTC(2024, 0, 15))],
      [SchemaBuilder.array(Schemas.STRING_SCHEMA).build(), ['a', 'b c', 'd,e']],
    ];
    for (const [schema, value] of cases) {
      const back = conv.toConnectHeader('t', 'h', conv.fromConnectHeader('t', 'h', schema, value));
      expect(canon(back.value)).toEqual(canon(value));
    }
    expect(convertToString(st, new Struct(st).put('a', 1))).toBe('{"a":1}');
    // decimals are written as BigDecimal.toString() and read back as numbers, as in Java
    expect(read(convertToString(Decimal.schema(9), '0.000000001')!)).toEqual({ schema: Schemas.FLOAT32_SCHEMA, value: Math.fround(1e-9) });
  });
  it('parses like Values.parseString', () => {
    expect(parseString('')).toEqual({ schema: Schemas.STRING_SCHEMA, value: '' });
    expect(parseString('2024-01-15T10:30:00.123Z')?.value).toEqual(new Date('2024-01-15T10:30:00.123Z'));
    expect(parseString('10:30:00.123Z')?.value).toEqual(new Date('1970-01-01T10:30:00.123Z'));
    expect(parseString('1.5')).toEqual({ schema: Schemas.FLOAT32_SCHEMA, value: 1.5 });
  });
});
