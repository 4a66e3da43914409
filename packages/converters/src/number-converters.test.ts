import { ConfigError, DataError, SchemaBuilder, Schemas, Struct } from '@kconnect/api';
import type { Converter } from '@kconnect/api';
import {
  BooleanConverter,
  ByteArrayConverter,
  DoubleConverter,
  FloatConverter,
  IntegerConverter,
  LongConverter,
  ShortConverter,
  StringConverter,
  charsetFor,
  plugins,
} from './index';
import { b64, buildSchema, compareForms, loadVectors, untag, vectorBytes } from '../test-vectors/support';
import type { Vector } from '../test-vectors/support';

const file = loadVectors('simple-converters.json');

const CONVERTERS: Record<string, () => Converter> = {
  'org.apache.kafka.connect.storage.StringConverter': () => new StringConverter(),
  'org.apache.kafka.connect.converters.ByteArrayConverter': () => new ByteArrayConverter(),
  'org.apache.kafka.connect.converters.IntegerConverter': () => new IntegerConverter(),
  'org.apache.kafka.connect.converters.ShortConverter': () => new ShortConverter(),
  'org.apache.kafka.connect.converters.LongConverter': () => new LongConverter(),
  'org.apache.kafka.connect.converters.FloatConverter': () => new FloatConverter(),
  'org.apache.kafka.connect.converters.DoubleConverter': () => new DoubleConverter(),
  'org.apache.kafka.connect.converters.BooleanConverter': () => new BooleanConverter(),
};

function make(v: Vector): Converter {
  const c = CONVERTERS[v.converter!]!();
  c.configure(v.config ?? {}, false);
  return c;
}

/** Java values whose type has no TypeScript equivalent: a Java Long 5 is a number like an Integer. */
const JAVA_TYPE_ONLY = new Set(['IntegerConverter Long 5']);

const rows = (kind: Vector['kind']): [string, Vector][] =>
  file.vectors.filter((v) => v.kind === kind && !JAVA_TYPE_ONLY.has(v.name)).map((v) => [`${v.name} ${JSON.stringify(v.config)}`, v]);

describe(`String, ByteArray, number and boolean converters match Kafka ${file.kafkaVersion}`, () => {
  it.each(rows('write'))('write %s', (_n, v) => {
    const c = make(v);
    const schema = buildSchema(v.schema);
    expect(b64(c.fromConnectData('t', schema, untag(v.value!, schema)) as Uint8Array | null)).toBe(v.bytes);
    const forms = compareForms(c.toConnectData('t', vectorBytes(v)) as never, v.readBack!);
    expect(forms.ours).toEqual(forms.java);
  });

  it.each(rows('writeError'))('write error %s', (_n, v) => {
    const schema = buildSchema(v.schema);
    const value = untag(v.value!, schema);
    // the same message, up to Java's class name (`class java.lang.String`)
    const java = v.error!.message;
    const prefix = java.includes('class ') ? java.slice(0, java.indexOf('class ')) : java;
    let err: unknown;
    try {
      make(v).fromConnectData('t', schema, value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message.startsWith(prefix)).toBe(true);
  });

  it.each(rows('read'))('read %s', (_n, v) => {
    const c = make(v);
    if (v.error) {
      expect(() => c.toConnectData('t', vectorBytes(v))).toThrow(DataError);
      expect(() => c.toConnectData('t', vectorBytes(v))).toThrow(v.error.message + (v.error.causeMessage ?? ''));
      return;
    }
    const forms = compareForms(c.toConnectData('t', vectorBytes(v)) as never, v.result!);
    expect(forms.ours).toEqual(forms.java);
  });
});

describe('number converters', () => {
  it('rejects values of the wrong type or range', () => {
    expect(() => new IntegerConverter().fromConnectData('t', null, 2 ** 31)).toThrow('Failed to serialize to integer (was number)');
    expect(() => new ShortConverter().fromConnectData('t', null, '1')).toThrow('Failed to serialize to short (was string)');
    expect(() => new LongConverter().fromConnectData('t', null, 2n ** 63n)).toThrow(DataError);
    expect(() => new LongConverter().fromConnectData('t', null, 1.5)).toThrow(DataError);
    expect(() => new DoubleConverter().fromConnectData('t', null, true)).toThrow(DataError);
  });
  it('writes and reads longs beyond 2^53 as bigint', () => {
    const c = new LongConverter();
    const bytes = c.fromConnectData('t', Schemas.INT64_SCHEMA, -(2n ** 63n)) as Uint8Array;
    expect(Buffer.from(bytes).toString('hex')).toBe('8000000000000000');
    expect(c.toConnectData('t', bytes)).toEqual({ schema: Schemas.OPTIONAL_INT64_SCHEMA, value: -(2n ** 63n) });
    expect(c.toConnectData('t', c.fromConnectData('t', null, 42) as Uint8Array).value).toBe(42);
  });
  it('reads from a view into a larger buffer', () => {
    const backing = Buffer.from([9, 0, 0, 1, 0, 9]);
    expect(new IntegerConverter().toConnectData('t', backing.subarray(1, 5)).value).toBe(256);
  });
  it('are header converters too', () => {
    const c = new FloatConverter();
    c.configure({});
    expect(c.toConnectHeader('t', 'h', c.fromConnectHeader('t', 'h', null, 1.5)).value).toBe(1.5);
  });
});

describe('StringConverter', () => {
  it('writes numbers as Java prints them, by schema', () => {
    const c = new StringConverter();
    c.configure({}, false);
    const str = (schema: Parameters<StringConverter['fromConnectData']>[1], v: unknown) =>
      Buffer.from(c.fromConnectData('t', schema, v) as Uint8Array).toString('utf8');
    expect(str(Schemas.FLOAT64_SCHEMA, 1)).toBe('1.0');
    expect(str(Schemas.FLOAT32_SCHEMA, 0.1)).toBe('0.1');
    expect(str(Schemas.INT32_SCHEMA, 7)).toBe('7');
    expect(str(null, 1e21)).toBe('1.0E21');
    expect(str(null, new Date(0))).toBe('Thu Jan 01 00:00:00 UTC 1970');
    expect(c.fromConnectData('t', null, null)).toBeNull();
    // Structured values as Java's toString() (the same javaString FileStreamSink writes with)
    expect(str(SchemaBuilder.array(Schemas.FLOAT32_SCHEMA).build(), [1, 0.5])).toBe('[1.0, 0.5]');
    const s = SchemaBuilder.struct().field('a', Schemas.INT32_SCHEMA).field('b', Schemas.OPTIONAL_STRING_SCHEMA).build();
    expect(str(s, new Struct(s).put('a', 1))).toBe('Struct{a=1}');
    expect(str(null, { k: 'v' })).toBe('{k=v}');
  });
  it('knows Java charset names and aliases, and rejects others', () => {
    expect(charsetFor('utf8').name).toBe('UTF-8');
    expect(charsetFor('latin1').name).toBe('ISO-8859-1');
    expect(charsetFor('ascii').name).toBe('US-ASCII');
    expect(() => charsetFor('EBCDIC-XYZ')).toThrow(ConfigError);
    expect(() => new StringConverter().configure({ 'converter.encoding': 'nope' }, true)).toThrow('Unsupported encoding nope');
  });
  it('lets key/value.serializer.encoding override converter.encoding, as Java does', () => {
    const c = new StringConverter();
    c.configure({ 'converter.encoding': 'UTF-8', 'value.serializer.encoding': 'UTF-16LE' }, false);
    expect(Buffer.from(c.fromConnectData('t', null, 'A') as Uint8Array).toString('hex')).toBe('4100');
    expect(c.toConnectData('t', Buffer.from('é', 'utf8')).value).toBe('é');
  });
});

describe('plugins', () => {
  it('registers every converter under Java class names, as converter and header converter', () => {
    const names = (type: string) => plugins.filter((p) => p.type === type).map((p) => p.className.split('.').pop());
    expect(names('converter')).toEqual([
      'JsonConverter',
      'StringConverter',
      'ByteArrayConverter',
      'IntegerConverter',
      'LongConverter',
      'ShortConverter',
      'FloatConverter',
      'DoubleConverter',
      'BooleanConverter',
    ]);
    expect(names('header_converter')).toEqual([...names('converter'), 'SimpleHeaderConverter']);
    for (const p of plugins) {
      expect(p.className).toMatch(/^org\.apache\.kafka\.connect\.(json|storage|converters)\.\w+Converter$/);
      const instance = p.create() as unknown as { config(): unknown; configure(c: Record<string, string>): void };
      expect(instance.config()).toBeDefined();
      instance.configure({});
    }
    expect(new Set(plugins.map((p) => p.create())).size).toBe(plugins.length);
  });
});
