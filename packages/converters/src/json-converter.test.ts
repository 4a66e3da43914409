import { DataError, Decimal, SchemaBuilder, Schemas, SchemaType, Struct, TimestampType, isDouble } from '@kconnect/api';
import type { Schema } from '@kconnect/api';
import { ENVELOPE_ERROR, JsonConverter, READ_ERROR, formatJavaDouble, formatJavaFloat, jacksonQuote } from './index';
import { hasLongDigits } from './json-converter';
import { b64, buildSchema, canon, canonSchema, compareForms, loadVectors, show, untag, vectorBytes } from '../test-vectors/support';
import type { JavaError, Vector } from '../test-vectors/support';

const file = loadVectors('json-converter.json');

/** Vectors where we knowingly differ from Java, and why. */
const KNOWN_DIFFERENCES: Record<string, string> = {
  'decimal wrong scale':
    'Decimal values are strings here; one with fewer fraction digits is rescaled to the schema scale, where Java rejects a BigDecimal of another scale',
  'schemaless double whole': 'a JavaScript number cannot tell 2.0 from 2: whole numbers without a schema are written as integers',
  'read float64 NaN string': 'Java reads back its own "NaN" as 0.0; we read NaN',
  'read schema with default struct': 'Java cannot build a struct default (SchemaBuilderException); we can',
  'quirk int32 from string': 'Java reads a mismatching JSON type as 0/false/null; we throw a DataError',
  'quirk string from number': 'Java reads a mismatching JSON type as 0/false/null; we throw a DataError',
  'quirk boolean from number': 'Java reads a mismatching JSON type as 0/false/null; we throw a DataError',
  'quirk bytes from number': 'Java reads a mismatching JSON type as 0/false/null; we throw a DataError',
};

/**
 * Vectors whose bytes we write exactly like Java, but which Java reads back lossily: its own "NaN"/"Infinity"
 * strings as 0.0. We read back exactly what was written. (-0.0 reads as 0.0, through BigDecimal, here as in Java.)
 */
const LOSSY_JAVA_READ_BACK = /^(float(32|64) (NaN|-?Infinity))$/;

/** Vectors where only the error type is compared: Java's message names a Java class. */
const MESSAGE_NAMES_JAVA_CLASS = new Set(['schemaless date']);

function converter(config: Record<string, string> = {}, isKey = false): JsonConverter {
  const c = new JsonConverter();
  c.configure(config, isKey);
  return c;
}

/** Our message equals Java's, up to Java class names (`class java.lang.String`) which have no equivalent here. */
function expectJavaMessage(err: unknown, java: JavaError): void {
  expect(err).toBeInstanceOf(DataError);
  const message = (err as Error).message;
  if (java.message === READ_ERROR) expect(message.startsWith(READ_ERROR)).toBe(true);
  else if (java.message.includes('class ')) expect(message.startsWith(java.message.slice(0, java.message.indexOf('class ')))).toBe(true);
  else expect(message).toBe(java.message);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

const vectors = file.vectors.filter((v) => v.kind !== 'floatFormat' && !(v.name in KNOWN_DIFFERENCES));

describe(`JsonConverter matches Kafka ${file.kafkaVersion} (Java ${file.javaVersion})`, () => {
  it('has the vectors', () => {
    expect(file.vectors.length).toBe(file.count);
    expect(vectors.length).toBeGreaterThan(200);
  });

  describe.each(vectors.filter((v) => v.kind === 'write').map((v) => [v.name, v] as [string, Vector]))('write %s', (_name, v) => {
    const schema = buildSchema(v.schema);
    it('serializes to the same bytes', () => {
      const bytes = converter(v.config, v.isKey).fromConnectData('topic', schema, untag(v.value!, schema));
      expect(show(bytes as Uint8Array | null)).toBe(v.bytes == null ? null : (v.text ?? `base64:${v.bytes}`));
      expect(b64(bytes as Uint8Array | null)).toBe(v.bytes);
    });
    it("reads Java's bytes back as Java does", () => {
      const c = converter(v.config, v.isKey);
      if (v.readBackError) {
        expectJavaMessage(
          thrown(() => c.toConnectData('topic', vectorBytes(v))),
          v.readBackError,
        );
        return;
      }
      if (LOSSY_JAVA_READ_BACK.test(v.name)) {
        expect(canon(c.toConnectData('topic', vectorBytes(v)).value as unknown)).toEqual(canon(untag(v.value!, schema)));
        return;
      }
      const forms = compareForms(c.toConnectData('topic', vectorBytes(v)) as never, v.readBack!);
      expect(forms.ours).toEqual(forms.java);
    });
  });

  describe.each(vectors.filter((v) => v.kind === 'writeError').map((v) => [v.name, v] as [string, Vector]))('write error %s', (_name, v) => {
    it('throws a DataError like Java', () => {
      const schema = buildSchema(v.schema);
      const value = untag(v.value!, schema);
      if (MESSAGE_NAMES_JAVA_CLASS.has(v.name)) {
        expect(() => converter(v.config, v.isKey).fromConnectData('topic', schema, value)).toThrow(DataError);
        return;
      }
      expectJavaMessage(
        thrown(() => converter(v.config, v.isKey).fromConnectData('topic', schema, value)),
        v.error!,
      );
    });
  });

  describe.each(vectors.filter((v) => v.kind === 'read').map((v) => [v.name, v] as [string, Vector]))('read %s', (_name, v) => {
    it('gives what Java gives', () => {
      const c = converter(v.config);
      if (v.error) {
        expectJavaMessage(
          thrown(() => c.toConnectData('topic', vectorBytes(v))),
          v.error,
        );
        return;
      }
      const forms = compareForms(c.toConnectData('topic', vectorBytes(v)) as never, v.result!);
      expect(forms.ours).toEqual(forms.java);
    });
  });

  it.each(file.vectors.filter((v) => v.kind === 'floatFormat').map((v) => [v.name, v] as [string, Vector]))('%s', (_name, v) => {
    const float = v.type === 'float32';
    const c = converter({ 'schemas.enable': 'false' });
    const schema = float ? Schemas.FLOAT32_SCHEMA : Schemas.FLOAT64_SCHEMA;
    const wrong: string[] = [];
    for (const [bits, text] of v.cases!) {
      const buf = Buffer.from(bits, 'hex');
      const value = float ? buf.readFloatBE(0) : buf.readDoubleBE(0);
      const ours = Buffer.from(c.fromConnectData('topic', schema, value) as Uint8Array).toString('utf8');
      if (ours !== text) wrong.push(`${bits}: ours ${ours}, Java ${text}`);
      expect(float ? formatJavaFloat(value) : formatJavaDouble(value)).toBe(ours);
    }
    expect(wrong).toEqual([]);
  });

  it('gives the same results when one converter reads everything, twice (schema caches)', () => {
    const c = converter();
    const inputs = vectors.filter((v) => Object.keys(v.config ?? {}).length === 0 && (v.result || v.readBack) && !LOSSY_JAVA_READ_BACK.test(v.name));
    expect(inputs.length).toBeGreaterThan(100);
    for (let round = 0; round < 2; round++) {
      for (const v of inputs) {
        const forms = compareForms(c.toConnectData('topic', vectorBytes(v)) as never, (v.result ?? v.readBack)!);
        expect([v.name, forms.ours]).toEqual([v.name, forms.java]);
      }
    }
  });

  describe('known differences from Java', () => {
    const byName = new Map(file.vectors.map((v) => [v.name, v]));
    it.each(Object.entries(KNOWN_DIFFERENCES))('%s: %s', (name) => {
      const v = byName.get(name)!;
      expect(v).toBeDefined();
      const schema = buildSchema(v.schema);
      if (name === 'decimal wrong scale') {
        const bytes = converter(v.config).fromConnectData('topic', schema, untag(v.value!, schema));
        expect(show(bytes as Uint8Array)).toContain('"payload":"AJY="'); // 1.50 at scale 2
      } else if (name === 'schemaless double whole') {
        expect(show(converter(v.config).fromConnectData('topic', null, 2.0) as Uint8Array)).toBe('{"schema":null,"payload":2}');
      } else if (name === 'read float64 NaN string') {
        expect(converter().toConnectData('topic', vectorBytes(v)).value as number).toBeNaN();
      } else if (name === 'read schema with default struct') {
        const read = converter().toConnectData('topic', vectorBytes(v)) as { schema: Schema; value: unknown };
        expect((read.schema.defaultValue as Struct).get('a')).toBe(5);
        expect((read.value as Struct).get('a')).toBe(5);
      } else {
        expect(() => converter(v.config).toConnectData('topic', vectorBytes(v))).toThrow(DataError);
      }
    });
  });
});

describe('JsonConverter', () => {
  const text = (b: unknown): string => Buffer.from(b as Uint8Array).toString('utf8');
  const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');

  describe('bad input', () => {
    const c = converter();
    it('rejects bytes that are not JSON', () => {
      expect(() => c.toConnectData('t', bytes('{"schema":'))).toThrow(DataError);
      expect(() => c.toConnectData('t', bytes('{"schema":'))).toThrow(
        /^Converting byte\[\] to Kafka Connect data failed due to serialization error: .*end of input/,
      );
      expect(() => converter({ 'schemas.enable': 'false' }).toConnectData('t', bytes('[1,'))).toThrow(READ_ERROR);
      expect(() => c.toConnectData('t', Uint8Array.of(0x7b, 0xff))).toThrow(`${READ_ERROR}Invalid UTF-8 input`);
    });
    it('rejects envelopes without payload, with extra fields, or that are not objects', () => {
      for (const s of ['{"schema":{"type":"int32"}}', '{"schema":null,"payload":1,"x":2}', '[1]', '"s"', '', '{"payload":1}']) {
        expect(() => c.toConnectData('t', bytes(s))).toThrow(ENVELOPE_ERROR);
      }
      expect(ENVELOPE_ERROR).toContain('set schemas.enable=false in your converter configuration');
    });
    it('rejects payloads that do not match the schema, saying what was expected', () => {
      expect(() => c.toConnectData('t', bytes('{"schema":{"type":"int32","optional":false},"payload":"abc"}'))).toThrow(
        'Invalid value for INT32 schema: expected a number but found STRING',
      );
      expect(() => c.toConnectData('t', bytes('{"schema":{"type":"string"},"payload":{"a":1}}'))).toThrow(
        'Invalid value for STRING schema: expected a string but found OBJECT',
      );
      expect(() => c.toConnectData('t', bytes('{"schema":{"type":"array","items":{"type":"int8"}},"payload":{}}'))).toThrow(
        'Invalid value for ARRAY schema: expected an array but found OBJECT',
      );
      expect(() => c.toConnectData('t', bytes('{"schema":{"type":"struct","fields":[{"field":"a","type":"int32"}]},"payload":{"a":null}}'))).toThrow(
        'Invalid null value for required INT32 field',
      );
    });
    it('rejects unknown schema types and malformed schemas', () => {
      expect(() => c.toConnectData('t', bytes('{"schema":{"type":"integer"},"payload":1}'))).toThrow('Unknown schema type: integer');
      expect(() => c.toConnectData('t', bytes('{"schema":{"type":"map","keys":null,"values":{"type":"int8"}},"payload":[]}'))).toThrow(DataError);
      expect(() => c.toConnectData('t', bytes('{"schema":{"type":"int32","parameters":{"a":1}},"payload":1}'))).toThrow(
        'Schema parameters must have string values.',
      );
    });
    it('reports the same errors on the fast and the general path', () => {
      // same content, once as Java writes it and once pretty-printed
      const compact = '{"schema":{"type":"integer"},"payload":1}';
      const pretty = '{ "schema" : { "type" : "integer" }, "payload" : 1 }';
      expect(() => c.toConnectData('t', bytes(compact))).toThrow('Unknown schema type: integer');
      expect(() => c.toConnectData('t', bytes(pretty))).toThrow('Unknown schema type: integer');
    });
    it('rejects values that do not fit the schema on write', () => {
      expect(() => c.fromConnectData('t', Schemas.INT8_SCHEMA, 128)).toThrow('Invalid type for INT8: number');
      expect(() => c.fromConnectData('t', Schemas.INT32_SCHEMA, 1.5)).toThrow(DataError);
      expect(() => c.fromConnectData('t', Schemas.INT64_SCHEMA, 2n ** 63n)).toThrow(DataError);
      expect(() => c.fromConnectData('t', Schemas.BYTES_SCHEMA, 'abc')).toThrow('Invalid type for BYTES: string');
      expect(() => c.fromConnectData('t', Decimal.schema(2), '1.234')).toThrow(DataError);
      expect(() => c.fromConnectData('t', TimestampType.SCHEMA, 5)).toThrow(DataError);
      expect(() => c.fromConnectData('t', null, new Date())).toThrow('Class Date does not have corresponding schema type.');
    });
  });

  describe('values', () => {
    it('writes and reads INT64 beyond 2^53 exactly, as bigint', () => {
      const c = converter();
      const b = c.fromConnectData('t', Schemas.INT64_SCHEMA, 2n ** 62n + 1n);
      expect(text(b)).toBe('{"schema":{"type":"int64","optional":false},"payload":4611686018427387905}');
      expect(c.toConnectData('t', b as Uint8Array).value).toBe(2n ** 62n + 1n);
      expect(c.toConnectData('t', bytes('{"schema":{"type":"int64","optional":false},"payload":42}')).value).toBe(42);
    });
    it('reads schemaless JSON with plain objects, arrays and exact integers', () => {
      const c = converter({ 'schemas.enable': 'false' });
      expect(c.toConnectData('t', bytes('{"a":[1,2.5,"x",null,true],"b":{"c":12345678901234567}}'))).toEqual({
        schema: null,
        value: { a: [1, 2.5, 'x', null, true], b: { c: 12345678901234567n } },
      });
      expect(c.toConnectData('t', bytes(''))).toEqual({ schema: null, value: null });
    });
    it('accepts maps as Map or plain object, and reads string-keyed maps as plain objects', () => {
      const c = converter();
      const schema = SchemaBuilder.map(Schemas.STRING_SCHEMA, Schemas.INT32_SCHEMA).build();
      const fromMap = text(
        c.fromConnectData(
          't',
          schema,
          new Map([
            ['a', 1],
            ['b', 2],
          ]),
        ),
      );
      expect(text(c.fromConnectData('t', schema, { a: 1, b: 2 }))).toBe(fromMap);
      expect(c.toConnectData('t', bytes(fromMap)).value).toEqual({ a: 1, b: 2 });
      const intKeys = SchemaBuilder.map(Schemas.INT32_SCHEMA, Schemas.STRING_SCHEMA).build();
      expect(c.toConnectData('t', c.fromConnectData('t', intKeys, new Map([[1, 'x']])) as Uint8Array).value).toEqual(new Map([[1, 'x']]));
    });
    it('keeps keys named like Object members as plain data', () => {
      const c = converter({ 'schemas.enable': 'false' });
      const v = c.toConnectData('t', bytes('{"__proto__":{"polluted":1},"constructor":2}')).value as Record<string, unknown>;
      expect(Object.keys(v)).toEqual(['__proto__', 'constructor']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(text(c.fromConnectData('t', null, v))).toBe('{"__proto__":{"polluted":1},"constructor":2}');
    });
    it('writes decimals from strings, numbers and bigints', () => {
      const c = converter({ 'decimal.format': 'numeric', 'schemas.enable': 'false' });
      expect(text(c.fromConnectData('t', Decimal.schema(2), '1.5'))).toBe('1.50');
      expect(text(c.fromConnectData('t', Decimal.schema(2), 3))).toBe('3.00');
      expect(text(c.fromConnectData('t', Decimal.schema(0), 10n ** 30n))).toBe('1000000000000000000000000000000');
      expect(c.toConnectData('t', bytes('0.10000000000000000000000001')).value).toBe(0.1);
    });
    it('reads NUMERIC decimals exactly, whatever their digits', () => {
      const c = converter();
      const schemaJson = '{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"12"}}';
      for (const [payload, expected] of [
        ['1234567.000000000001', '1234567.000000000001'],
        ['1E-12', '0.000000000001'],
        ['7', '7'],
      ]) {
        expect(c.toConnectData('t', bytes(`{"schema":${schemaJson},"payload":${payload}}`)).value).toBe(expected);
      }
    });
    it('escapes strings as Jackson does', () => {
      expect(jacksonQuote('a"b\\c\n')).toBe(JSON.stringify('a"b\\c\n'));
      expect(jacksonQuote('\u0001\u001f\u007f')).toBe('"\\u0001\\u001F\u007f"');
      expect(jacksonQuote('😀')).toBe('"\\uD83D\\uDE00"');
      expect(jacksonQuote('\ud800x')).toBe('"\\uD800x"');
      expect(jacksonQuote('\\u001f')).toBe('"\\\\u001f"');
    });
    it('round-trips every schema type through the envelope', () => {
      const inner = SchemaBuilder.struct().name('In').field('x', Schemas.OPTIONAL_FLOAT32_SCHEMA).build();
      const schema = SchemaBuilder.struct()
        .name('Rec')
        .version(2)
        .doc('d')
        .parameter('p', 'v')
        .field('i8', Schemas.INT8_SCHEMA)
        .field('i16', Schemas.INT16_SCHEMA)
        .field('i32', Schemas.INT32_SCHEMA)
        .field('i64', Schemas.INT64_SCHEMA)
        .field('f32', Schemas.FLOAT32_SCHEMA)
        .field('f64', Schemas.FLOAT64_SCHEMA)
        .field('b', Schemas.BOOLEAN_SCHEMA)
        .field('s', SchemaBuilder.string().defaultValue('dflt').build())
        .field('bytes', Schemas.BYTES_SCHEMA)
        .field('arr', SchemaBuilder.array(inner).build())
        .field('map', SchemaBuilder.map(Schemas.INT64_SCHEMA, Schemas.OPTIONAL_STRING_SCHEMA).build())
        .field('dec', Decimal.schema(3))
        .field('ts', TimestampType.SCHEMA)
        .build();
      const value = new Struct(schema)
        .put('i8', -1)
        .put('i16', 300)
        .put('i32', -70000)
        .put('i64', -(2n ** 60n))
        .put('f32', 0.25)
        .put('f64', -1e-10)
        .put('b', true)
        .put('bytes', Uint8Array.of(1, 2))
        .put('arr', [new Struct(inner).put('x', 1.5), new Struct(inner)])
        .put(
          'map',
          new Map<number, string | null>([
            [1, 'a'],
            [2, null],
          ]),
        )
        .put('dec', '-0.125')
        .put('ts', new Date(1700000000000));
      for (const config of [{}, { 'decimal.format': 'NUMERIC' }] as Record<string, string>[]) {
        const c = converter(config);
        const read = c.toConnectData('t', c.fromConnectData('t', schema, value) as Uint8Array);
        expect(canonSchema(read.schema as Schema)).toEqual(canonSchema(schema));
        expect(canon(read.value)).toEqual({
          ...(canon(value) as object),
          struct: (canon(value) as { struct: unknown[][] }).struct.map(([k, v]) => [k, k === 's' ? { s: 'dflt' } : v]),
        });
      }
    });
    it('caches schemas: equal schema text gives the same Schema instance', () => {
      const c = converter();
      const msg = bytes('{"schema":{"type":"string","optional":true},"payload":"x"}');
      const a = c.toConnectData('t', msg);
      const b = c.toConnectData('t', msg);
      expect(a.schema).toBe(b.schema);
      expect(a.schema?.type).toBe(SchemaType.STRING);
    });
    it('is a header converter too', () => {
      const c = new JsonConverter();
      c.configure({});
      const h = c.fromConnectHeader('t', 'k', Schemas.INT32_SCHEMA, 5);
      expect(text(h)).toBe('{"schema":{"type":"int32","optional":false},"payload":5}');
      expect(c.toConnectHeader('t', 'k', h).value).toBe(5);
    });
    it('validates its config', () => {
      expect(() => converter({ 'decimal.format': 'HEX' })).toThrow(/decimal.format/);
      expect(
        new JsonConverter()
          .config()
          .configKeys()
          .map((k) => k.name),
      ).toEqual(['converter.type', 'schemas.enable', 'schemas.cache.size', 'decimal.format', 'replace.null.with.default']);
    });
  });
});

describe('hasLongDigits (which text is read exactly)', () => {
  it('finds a run of 16 or more digits wherever it is, and only then', () => {
    const sixteen = '1234567890123456';
    for (let pad = 0; pad < 40; pad++) {
      const before = 'x'.repeat(pad);
      expect(hasLongDigits(`${before}${sixteen}`, true)).toBe(true);
      expect(hasLongDigits(`${before}${sixteen}]`, true)).toBe(true);
      expect(hasLongDigits(`${before}${sixteen.slice(1)}`, true)).toBe(false);
      expect(hasLongDigits(`${before}${sixteen.slice(1)},${sixteen.slice(1)}`, true)).toBe(false);
      expect(hasLongDigits(`${before}${sixteen.slice(1)},${sixteen.slice(1)},${sixteen}`, true)).toBe(true);
    }
    expect(hasLongDigits('', true)).toBe(false);
    expect(hasLongDigits('{"ts":1704067200000,"id":9007199254740993}', true)).toBe(true);
    expect(hasLongDigits('[-12345678901234567]', true)).toBe(true);
    // digits of a number with a fraction or an exponent are read as a double anyway
    for (const n of ['0.30000000000000004', '12345678901234567.5', '12345678901234567e2', '1.5E12345678901234567', '2e+12345678901234567'])
      expect([hasLongDigits(`{"a":${n}}`, true), hasLongDigits(`{"a":${n}}`, false)]).toEqual([false, true]);
    // a brute-force check over many mixes of digit runs and separators
    for (let n = 0; n < 2000; n++) {
      let s = '';
      while (s.length < 80) s += n % 3 === 0 ? '1'.repeat(1 + ((n * 7 + s.length) % 17)) + ',' : '9'.repeat(1 + ((n + s.length) % 16)) + ' ';
      expect(hasLongDigits(s, true)).toBe(/\d{16}/.test(s));
      expect(hasLongDigits(s.replaceAll(' ', '.'), false)).toBe(/\d{16}/.test(s));
    }
  });
  it('keeps big integers exact, and long fractions as doubles', () => {
    const schemaless = new JsonConverter();
    schemaless.configure({ 'schemas.enable': 'false' }, false);
    const text = '{"a":0.30000000000000004,"b":9007199254740993,"c":12345678901234567.5}';
    expect(schemaless.toConnectData('t', Buffer.from(text)).value).toEqual({ a: 0.30000000000000004, b: 9007199254740993n, c: 12345678901234568 });
    const withSchema = new JsonConverter();
    withSchema.configure({ 'schemas.enable': 'true' }, false);
    // an int64 written as a decimal number is truncated exactly, as Java's DecimalNode.longValue() does
    expect(withSchema.toConnectData('t', Buffer.from('{"schema":{"type":"int64"},"payload":12345678901234567.5}')).value).toBe(12345678901234567n);
  });
});

describe('schemaless doubles keep their Java form through a round trip (Jackson DoubleNode vs LongNode)', () => {
  const conv = (schemas: boolean) => {
    const c = new JsonConverter();
    c.configure({ 'schemas.enable': String(schemas) }, false);
    return c;
  };
  const roundTrip = (c: JsonConverter, text: string) => {
    const sv = c.toConnectData('t', Buffer.from(text));
    return Buffer.from(c.fromConnectData('t', sv.schema, sv.value)!).toString();
  };

  // Java 17 + Kafka 4.1.2 JsonConverter: toConnectData then fromConnectData (keys here in an order Java's HashMap keeps)
  test.each([
    ['{"v":0.0}', '{"v":0.0}'],
    ['{"a":-4.0,"b":1E7,"c":1e-5,"e":5,"f":1.5e3}', '{"a":-4.0,"b":1.0E7,"c":1.0E-5,"e":5,"f":1500.0}'],
    ['{"d":-0.0,"z":-0}', '{"d":0.0,"z":0}'],
    ['[1.0,2,3.50,1e21,2.5e-7,1.00,100e-2,1e0]', '[1.0,2,3.5,1.0E21,2.5E-7,1.0,1.0,1.0]'],
    ['{"s":"v1.0","h":{"x":1.00,"y":[[0.0]]}}', '{"s":"v1.0","h":{"x":1.0,"y":[[0.0]]}}'],
    ['[12345678.0,0.001,0.0001,9007199254740993.0]', '[1.2345678E7,0.001,1.0E-4,9.007199254740992E15]'],
    // whole only after rounding to a double; digits inside strings are not numbers
    ['{"a":0.99999999999999999,"t":"2023-01-01T00:00:00.000Z"}', '{"a":1.0,"t":"2023-01-01T00:00:00.000Z"}'],
    ['[4503599627370496.5]', '[4.503599627370496E15]'],
  ])('schemas.enable=false: %s → %s', (input, expected) => {
    expect(roundTrip(conv(false), input)).toBe(expected);
  });

  test('with schemas.enable=true and a null schema (exact and fast paths)', () => {
    const c = conv(true);
    expect(roundTrip(c, '{"schema":null,"payload":{"v":0.0,"w":[2.0,3]}}')).toBe('{"schema":null,"payload":{"v":0.0,"w":[2.0,3]}}');
    expect(roundTrip(c, '{ "schema": null, "payload": {"v":1e3, "n": 12345678901234567890} }')).toBe(
      '{"schema":null,"payload":{"v":1000.0,"n":-6101065172474983726}}',
    );
  });

  test('the marks are invisible to JavaScript: plain numbers, not enumerable', () => {
    const sv = conv(false).toConnectData('t', Buffer.from('{"v":0.0,"w":[1.0]}'));
    expect(sv.value).toEqual({ v: 0, w: [1] });
    expect(Object.keys(sv.value as object)).toEqual(['v', 'w']);
    expect(JSON.stringify(sv.value)).toBe('{"v":0,"w":[1]}');
    expect(isDouble(sv.value as object, 'v')).toBe(true);
    expect(isDouble((sv.value as { w: object }).w, 0)).toBe(true);
  });

  test('FLOAT64 schema: Double.toString; -0.0 reads as 0.0 as Java reads it through BigDecimal', () => {
    const c = conv(true);
    const env = (p: string) => `{"schema":{"type":"double","optional":false},"payload":${p}}`;
    for (const [p, out] of [
      ['0.0', '0.0'],
      ['-4', '-4.0'],
      ['1E7', '1.0E7'],
      ['1e-5', '1.0E-5'],
      ['-0.0', '0.0'],
      ['123456789012', '1.23456789012E11'],
    ]) {
      expect(roundTrip(c, env(p!))).toBe(env(out!));
    }
  });
});
