/**
 * StringConverter: Java's `org.apache.kafka.connect.storage.StringConverter`. Writes any value's string form in the
 * configured charset (`converter.encoding`, default UTF-8) and reads bytes back as an OPTIONAL_STRING.
 */
import { type ConfigDef, ConfigError, ConfigType, Importance, javaString, Schemas, Width } from '@kconnect/api';
import type { Converter, HeaderConverter, Schema, SchemaAndValue } from '@kconnect/api';
import { newConverterConfigDef, withConverterType } from './converter-config';

const STRING_CONFIG_DEF = newConverterConfigDef().define({
  name: 'converter.encoding',
  type: ConfigType.STRING,
  default: 'UTF-8',
  importance: Importance.HIGH,
  documentation: 'The name of the Java character set to use for encoding strings as byte arrays.',
  width: Width.MEDIUM,
  displayName: 'Encoding',
});

/** A character set: how strings become bytes and back, with Java's replacement rules. */
export interface Charset {
  readonly name: string;
  encode(s: string): Uint8Array;
  decode(bytes: Uint8Array): string;
}

const view = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const UNMAPPABLE_LATIN1 = /[\ud800-\udbff][\udc00-\udfff]|[^\u0000-\u00ff]/g;
const UNMAPPABLE_ASCII = /[\ud800-\udbff][\udc00-\udfff]|[^\u0000-\u007f]/g;

function utf16be(s: string): Buffer {
  return Buffer.from(s, 'utf16le').swap16();
}

function decodeUtf16be(bytes: Uint8Array): string {
  const even = bytes.byteLength & ~1;
  const copy = Buffer.from(bytes.subarray(0, even)).swap16();
  return copy.toString('utf16le') + (even < bytes.byteLength ? '\ufffd' : '');
}

function decodeUtf16le(bytes: Uint8Array): string {
  const even = bytes.byteLength & ~1;
  return view(bytes.subarray(0, even)).toString('utf16le') + (even < bytes.byteLength ? '\ufffd' : '');
}

const CHARSETS: Record<string, Charset> = {
  'UTF-8': {
    name: 'UTF-8',
    encode: (s) => Buffer.from(s, 'utf8'),
    decode: (b) => view(b).toString('utf8'),
  },
  'UTF-16': {
    // Java writes a big-endian byte-order mark and reads either byte order, big-endian without a mark.
    name: 'UTF-16',
    encode: (s) => Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(s)]),
    decode: (b) => {
      if (b[0] === 0xfe && b[1] === 0xff) return decodeUtf16be(b.subarray(2));
      if (b[0] === 0xff && b[1] === 0xfe) return decodeUtf16le(b.subarray(2));
      return decodeUtf16be(b);
    },
  },
  'UTF-16BE': { name: 'UTF-16BE', encode: utf16be, decode: decodeUtf16be },
  'UTF-16LE': { name: 'UTF-16LE', encode: (s) => Buffer.from(s, 'utf16le'), decode: decodeUtf16le },
  'ISO-8859-1': {
    name: 'ISO-8859-1',
    encode: (s) => Buffer.from(s.replace(UNMAPPABLE_LATIN1, '?'), 'latin1'),
    decode: (b) => view(b).toString('latin1'),
  },
  'US-ASCII': {
    name: 'US-ASCII',
    encode: (s) => Buffer.from(s.replace(UNMAPPABLE_ASCII, '?'), 'latin1'),
    decode: (b) =>
      view(b)
        .toString('latin1')
        .replace(/[\u0080-\u00ff]/g, '\ufffd'),
  },
};

const ALIASES: Record<string, string> = {
  UTF8: 'UTF-8',
  UNICODE11UTF8: 'UTF-8',
  UTF16: 'UTF-16',
  UTF_16: 'UTF-16',
  UTF16BE: 'UTF-16BE',
  UTF_16BE: 'UTF-16BE',
  UNICODEBIGUNMARKED: 'UTF-16BE',
  UTF16LE: 'UTF-16LE',
  UTF_16LE: 'UTF-16LE',
  UNICODELITTLEUNMARKED: 'UTF-16LE',
  ISO8859_1: 'ISO-8859-1',
  'ISO8859-1': 'ISO-8859-1',
  ISO_8859_1: 'ISO-8859-1',
  'ISO_8859-1': 'ISO-8859-1',
  LATIN1: 'ISO-8859-1',
  L1: 'ISO-8859-1',
  'ISO-IR-100': 'ISO-8859-1',
  CP819: 'ISO-8859-1',
  IBM819: 'ISO-8859-1',
  ASCII: 'US-ASCII',
  US: 'US-ASCII',
  ASCII7: 'US-ASCII',
  'ISO646-US': 'US-ASCII',
  'ISO_646.IRV:1991': 'US-ASCII',
  DEFAULT: 'US-ASCII',
  CP367: 'US-ASCII',
  IBM367: 'US-ASCII',
};

/**
 * The charset of a Java charset name (case-insensitive, with Java's usual aliases). Supported: UTF-8, UTF-16,
 * UTF-16BE, UTF-16LE, ISO-8859-1 and US-ASCII; other names throw a {@link ConfigError}.
 */
export function charsetFor(name: string): Charset {
  const upper = name.trim().toUpperCase();
  const cs = CHARSETS[upper] ?? CHARSETS[ALIASES[upper] ?? ''];
  if (!cs) throw new ConfigError(`Unsupported encoding ${name}`, { name: 'converter.encoding' });
  return cs;
}

/**
 * Converter and header converter for plain strings. Writes `String(value)` (Java's `toString()`, see
 * `javaString` of @kconnect/api) in `converter.encoding`; reads an OPTIONAL_STRING. `key.serializer.encoding` /
 * `value.serializer.encoding` (and the deserializer ones) override it as in Java.
 */
export class StringConverter implements Converter, HeaderConverter {
  private encoder: Charset = CHARSETS['UTF-8']!;
  private decoder: Charset = CHARSETS['UTF-8']!;

  config(): ConfigDef {
    return STRING_CONFIG_DEF;
  }

  configure(configs: Record<string, string>, isKey?: boolean): void {
    const c = STRING_CONFIG_DEF.parse(withConverterType(configs, isKey));
    const side = isKey ? 'key' : 'value';
    this.encoder = charsetFor(configs[`${side}.serializer.encoding`] ?? c['converter.encoding']);
    this.decoder = charsetFor(configs[`${side}.deserializer.encoding`] ?? c['converter.encoding']);
  }

  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Uint8Array | null {
    if (value === null || value === undefined) return null;
    return this.encoder.encode(javaString(value, schema));
  }

  toConnectData(_topic: string, value: Uint8Array | null): SchemaAndValue {
    return { schema: Schemas.OPTIONAL_STRING_SCHEMA, value: value == null ? null : this.decoder.decode(value) };
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, value: Uint8Array | null): SchemaAndValue {
    return this.toConnectData(topic, value);
  }
}
