/**
 * JsonConverter: byte-for-byte compatible with Java's `org.apache.kafka.connect.json.JsonConverter` (Kafka 3.9/4.x).
 *
 * Writing builds the JSON text directly, in Jackson's exact form (key order, `1.0` for whole doubles, Java's float
 * digits, `\uD83D\uDE00` for characters outside the BMP, uppercase `\u001F`), caching each schema's JSON. Reading
 * uses `JSON.parse` for the payload and caches schemas by their JSON text; it switches to an exact reader only when
 * a value needs it (integers beyond 2^53, decimals) or the input is not what `JSON.parse` accepts but Jackson does.
 */
import {
  type ConfigDef,
  ConfigType,
  DataError,
  Decimal,
  DateType,
  doubleKeys,
  markDouble,
  Importance,
  NULL_SCHEMA_AND_VALUE,
  SchemaBuilder,
  SchemaType,
  Struct,
  TimeType,
  TimestampType,
  Validators,
  Width,
  bigintToTwosComplement,
  decimalToUnscaled,
  schemaEquals,
} from '@kconnect/api';
import type { Converter, HeaderConverter, Schema, SchemaAndValue } from '@kconnect/api';
import { newConverterConfigDef, withConverterType } from './converter-config';
import {
  describeType,
  formatJavaDouble,
  formatJavaFloat,
  fromBase64,
  javaBigDecimalToString,
  parseJavaBigDecimal,
  plainDecimal,
  toBase64,
} from '@kconnect/api';
import { JsonSyntaxError, LosslessNumber, MISSING, int64, parseJson, skipCompositeValue } from './json-parser';

/** `decimal.format`: how Decimal values are written. */
export type DecimalFormat = 'BASE64' | 'NUMERIC';

const JSON_CONFIG_DEF = newConverterConfigDef()
  .define({
    name: 'schemas.enable',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.HIGH,
    documentation: 'Include schemas within each of the serialized values and keys.',
    group: 'Schemas',
    orderInGroup: 0,
    width: Width.MEDIUM,
    displayName: 'Enable Schemas',
  })
  .define({
    name: 'schemas.cache.size',
    type: ConfigType.INT,
    default: 1000,
    importance: Importance.HIGH,
    documentation: 'The maximum number of schemas that can be cached in this converter instance.',
    group: 'Schemas',
    orderInGroup: 1,
    width: Width.MEDIUM,
    displayName: 'Schema Cache Size',
  })
  .define({
    name: 'decimal.format',
    type: ConfigType.STRING,
    default: 'BASE64',
    importance: Importance.LOW,
    documentation:
      "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
    validator: Validators.in(['BASE64', 'NUMERIC'], true),
    group: 'Serialization',
    orderInGroup: 0,
    width: Width.MEDIUM,
    displayName: 'Decimal Format',
  })
  .define({
    name: 'replace.null.with.default',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.LOW,
    documentation:
      'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
    group: 'Serialization',
    orderInGroup: 1,
    width: Width.MEDIUM,
    displayName: 'Replace null with default',
  });

/** Java's message when `schemas.enable=true` and the input is not exactly `{"schema":…,"payload":…}`. */
export const ENVELOPE_ERROR =
  'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields.' +
  ' If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';
/** Java's message (followed here by the parser's) when the bytes are not JSON. */
export const READ_ERROR = 'Converting byte[] to Kafka Connect data failed due to serialization error: ';

const TYPE_NAMES: Readonly<Record<SchemaType, string>> = {
  [SchemaType.INT8]: 'int8',
  [SchemaType.INT16]: 'int16',
  [SchemaType.INT32]: 'int32',
  [SchemaType.INT64]: 'int64',
  [SchemaType.FLOAT32]: 'float',
  [SchemaType.FLOAT64]: 'double',
  [SchemaType.BOOLEAN]: 'boolean',
  [SchemaType.STRING]: 'string',
  [SchemaType.BYTES]: 'bytes',
  [SchemaType.ARRAY]: 'array',
  [SchemaType.MAP]: 'map',
  [SchemaType.STRUCT]: 'struct',
};
const EXPECTED: Readonly<Record<SchemaType, string>> = {
  [SchemaType.INT8]: 'a number',
  [SchemaType.INT16]: 'a number',
  [SchemaType.INT32]: 'a number',
  [SchemaType.INT64]: 'a number',
  [SchemaType.FLOAT32]: 'a number',
  [SchemaType.FLOAT64]: 'a number',
  [SchemaType.BOOLEAN]: 'a boolean',
  [SchemaType.STRING]: 'a string',
  [SchemaType.BYTES]: 'a base64 string',
  [SchemaType.ARRAY]: 'an array',
  [SchemaType.MAP]: 'an object',
  [SchemaType.STRUCT]: 'an object',
};

const SCHEMA_PREFIX = '{"schema":';
const PAYLOAD_SEPARATOR = ',"payload":';
const NULL_SCHEMA_HEAD = Buffer.from(`${SCHEMA_PREFIX}null${PAYLOAD_SEPARATOR}`, 'utf8');
const [DOT, PLUS, MINUS, LOWER_E, UPPER_E, QUOTE, BACKSLASH, ZERO, NINE] = ['.', '+', '-', 'e', 'E', '"', '\\', '0', '9'].map((c) => c.charCodeAt(0));

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= ZERO && c <= NINE;
}

/**
 * Whether the text has a run of 16+ digits, a number that may not survive a double (such text is read exactly).
 * With `integersOnly`, for values read without a schema (where only integers are read as int64), the run must be
 * an integer token: not the fraction or exponent of a number (`0.30000000000000004`, common in JSON from
 * JavaScript), nor the integral part of one with a fraction or exponent. Any such run covers one of every 16
 * positions, so only those are looked at first (5x faster than /\d{16}/).
 */
export function hasLongDigits(s: string, integersOnly: boolean): boolean {
  for (let i = 15; i < s.length; i += 16) {
    if (!isDigitAt(s, i)) continue;
    let start = i;
    let end = i;
    while (start > 0 && isDigitAt(s, start - 1)) start--;
    while (end + 1 < s.length && isDigitAt(s, end + 1)) end++;
    if (end - start + 1 >= 16) {
      if (!integersOnly) return true;
      const before = start > 0 ? s.charCodeAt(start - 1) : 0;
      const after = end + 1 < s.length ? s.charCodeAt(end + 1) : 0;
      if (before !== DOT && before !== PLUS && before !== LOWER_E && before !== UPPER_E && after !== DOT && after !== LOWER_E && after !== UPPER_E) return true;
    }
    i = end; // the next run starts after end + 1, so it covers end + 16 if it is long enough
  }
  return false;
}
/** How many recently read schemas are compared by their envelope head before looking a schema up by its text. */
const RECENT_SCHEMAS = 4;
/** What {@link JsonConverter.numbersIn} says about a schema's numbers. */
const NUMBERS_SAFE = 0;
const NUMBERS_INT64 = 1;
const NUMBERS_DECIMAL = 2;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MS_PER_DAY = 86_400_000;

type JsonObject = Record<string, unknown>;

// Module-level copies of the API's constants: on the hot path, they are plain reads rather than re-export getters.
const { INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES, ARRAY, MAP, STRUCT } = SchemaType;
const DECIMAL_NAME = Decimal.LOGICAL_NAME;
const DATE_NAME = DateType.LOGICAL_NAME;
const TIME_NAME = TimeType.LOGICAL_NAME;
const TIMESTAMP_NAME = TimestampType.LOGICAL_NAME;
const StructClass = Struct;

/**
 * Converter and header converter storing Connect data as JSON, by default wrapped with its schema in a
 * `{"schema":…,"payload":…}` envelope (`schemas.enable`). Configs: `schemas.enable` (default true),
 * `schemas.cache.size` (1000), `decimal.format` (`BASE64` or `NUMERIC`), `replace.null.with.default` (true).
 */
export class JsonConverter implements Converter, HeaderConverter {
  private schemasEnabled = true;
  private decimalFormat: DecimalFormat = 'BASE64';
  private replaceNullWithDefault = true;
  // caches by schema (written JSON depends on the settings, so configure() starts them afresh)
  private schemaJson = new WeakMap<Schema, string>();
  private envelopeHeads = new WeakMap<Schema, Buffer>();
  private readonly fieldPrefixes = new WeakMap<Schema, string[]>();
  private readonly numberKinds = new WeakMap<Schema, number>();
  private schemasByJson = new LruCache<string, Schema | null>(1000);
  /** The envelope heads of the last few schemas read, most recent first. */
  private recentSchemas: { head: Buffer; schema: Schema | null }[] = [];

  /** Java's `JsonConverterConfig` keys plus `converter.type`. */
  config(): ConfigDef {
    return JSON_CONFIG_DEF;
  }

  /** Applies the settings; `isKey` is unset when configured as a header converter. */
  configure(configs: Record<string, string>, isKey?: boolean): void {
    const c = JSON_CONFIG_DEF.parse(withConverterType(configs, isKey));
    this.schemasEnabled = c['schemas.enable'];
    this.decimalFormat = c['decimal.format'].toUpperCase() as DecimalFormat;
    this.replaceNullWithDefault = c['replace.null.with.default'];
    this.schemasByJson = new LruCache(Math.max(0, c['schemas.cache.size']));
    this.recentSchemas = [];
    this.schemaJson = new WeakMap();
    this.envelopeHeads = new WeakMap();
  }

  /** Serializes to UTF-8 JSON; null schema and null value give null (a tombstone). */
  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Uint8Array | null {
    if (schema == null && value == null) return null;
    const payload = this.write(schema ?? null, value);
    if (!this.schemasEnabled) return Buffer.from(payload, 'utf8');
    // the envelope's head is encoded once per schema; only the payload is encoded per record
    const head = schema ? this.envelopeHead(schema) : NULL_SCHEMA_HEAD;
    const out = Buffer.allocUnsafe(head.length + Buffer.byteLength(payload, 'utf8') + 1);
    head.copy(out, 0);
    out.write(payload, head.length, 'utf8');
    out[out.length - 1] = 125; // }
    return out;
  }

  /** Deserializes JSON; null bytes give null schema and value. Throws a {@link DataError} for unreadable input. */
  toConnectData(_topic: string, value: Uint8Array | null): SchemaAndValue {
    if (value == null) return NULL_SCHEMA_AND_VALUE;
    if (this.schemasEnabled) {
      const read = this.readRecentEnvelope(value);
      if (read !== undefined) return read;
    }
    let text: string;
    try {
      text = UTF8.decode(value);
    } catch (e) {
      throw new DataError(`${READ_ERROR}Invalid UTF-8 input`, { cause: e });
    }
    if (!this.schemasEnabled) {
      const root = readJson(text, false, hasLongDigits(text, true));
      return { schema: null, value: root === MISSING ? null : root };
    }
    if (text.startsWith(SCHEMA_PREFIX)) {
      const read = this.readJavaEnvelope(text);
      if (read !== undefined) return read;
    }
    return this.readEnvelope(text);
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, value: Uint8Array | null): SchemaAndValue {
    return this.toConnectData(topic, value);
  }

  // ------------------------------------------------------------------------------------------------ writing

  /** `{"schema":<schema>,"payload":` as UTF-8. */
  private envelopeHead(schema: Schema): Buffer {
    let head = this.envelopeHeads.get(schema);
    if (head === undefined) {
      head = Buffer.from(`${SCHEMA_PREFIX}${this.jsonSchema(schema)}${PAYLOAD_SEPARATOR}`, 'utf8');
      this.envelopeHeads.set(schema, head);
    }
    return head;
  }

  /** The JSON of a schema, in Java's key order: type, items|keys,values|fields, optional, name, version, doc, parameters, default. */
  private jsonSchema(schema: Schema): string {
    let json = this.schemaJson.get(schema);
    if (json === undefined) {
      json = this.buildJsonSchema(schema);
      this.schemaJson.set(schema, json);
    }
    return json;
  }

  private buildJsonSchema(s: Schema): string {
    let out = `{"type":"${TYPE_NAMES[s.type]}"`;
    switch (s.type) {
      case ARRAY:
        out += `,"items":${s.valueSchema ? this.jsonSchema(s.valueSchema) : 'null'}`;
        break;
      case MAP:
        out += `,"keys":${s.keySchema ? this.jsonSchema(s.keySchema) : 'null'}`;
        out += `,"values":${s.valueSchema ? this.jsonSchema(s.valueSchema) : 'null'}`;
        break;
      case STRUCT:
        out += ',"fields":[';
        s.fields.forEach((f, i) => {
          const fieldSchema = this.jsonSchema(f.schema);
          out += `${i ? ',' : ''}${fieldSchema.slice(0, -1)},"field":${quote(f.name)}}`;
        });
        out += ']';
        break;
      default:
        break;
    }
    out += `,"optional":${s.optional}`;
    if (s.name != null) out += `,"name":${quote(s.name)}`;
    if (s.version != null) out += `,"version":${s.version}`;
    if (s.doc != null) out += `,"doc":${quote(s.doc)}`;
    if (s.parameters != null) {
      const keys = Object.keys(s.parameters);
      if (keys.length > 0) {
        out += `,"parameters":{${keys.map((k) => `${quote(k)}:${quote(s.parameters![k]!)}`).join(',')}}`;
      }
    }
    if (s.defaultValue != null) out += `,"default":${this.write(s, s.defaultValue)}`;
    return out + '}';
  }

  /** The JSON of a value (Java's `convertToJson`). */
  private write(schema: Schema | null, value: unknown): string {
    if (value === null || value === undefined) {
      if (schema === null) return 'null';
      if (schema.defaultValue != null && this.replaceNullWithDefault) return this.write(schema, schema.defaultValue);
      if (schema.optional) return 'null';
      throw new DataError('Conversion error: null value for field that is required and has no default value');
    }
    if (schema === null) return this.writeSchemaless(value);
    if (schema.name != null) {
      const logical = this.writeLogical(schema, schema.name, value);
      if (logical !== undefined) return logical;
    }
    switch (schema.type) {
      case INT8:
        if (typeof value === 'number' ? (value << 24) >> 24 === value : typeof value === 'bigint' && value >= -128n && value <= 127n) return String(value);
        break;
      case INT16:
        if (typeof value === 'number' ? (value << 16) >> 16 === value : typeof value === 'bigint' && value >= -32768n && value <= 32767n) return String(value);
        break;
      case INT32:
        if (typeof value === 'number' ? (value | 0) === value : typeof value === 'bigint' && value === BigInt.asIntN(32, value)) return String(value);
        break;
      case INT64: {
        const s = int64Text(value);
        if (s !== undefined) return s;
        break;
      }
      case FLOAT32:
        if (typeof value === 'number') return Number.isFinite(value) ? formatJavaFloat(value) : `"${formatJavaFloat(value)}"`;
        break;
      case FLOAT64:
        if (typeof value === 'number') return Number.isFinite(value) ? formatJavaDouble(value) : `"${formatJavaDouble(value)}"`;
        break;
      case BOOLEAN:
        if (value === true) return 'true';
        if (value === false) return 'false';
        break;
      case STRING:
        if (typeof value === 'string') return quote(value);
        break;
      case BYTES:
        if (value instanceof Uint8Array) return `"${toBase64(value)}"`;
        break;
      case ARRAY:
        if (Array.isArray(value)) {
          const vs = schema.valueSchema ?? null;
          let out = '[';
          for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + this.write(vs, value[i]);
          return out + ']';
        }
        break;
      case MAP:
        if (value instanceof Map || isPlainObject(value)) return this.writeMap(schema, value);
        break;
      case STRUCT:
        if (value instanceof StructClass) return this.writeStruct(schema, value);
        break;
    }
    throw new DataError(`Invalid type for ${schema.type}: ${describeType(value)}`);
  }

  private writeLogical(schema: Schema, name: string, value: unknown): string | undefined {
    switch (name) {
      case DECIMAL_NAME: {
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') {
          throw new DataError(`Invalid type for Decimal, expected a decimal string but was ${describeType(value)}`);
        }
        const scale = Decimal.scale(schema);
        const unscaled = decimalToUnscaled(String(value), scale);
        if (this.decimalFormat === 'NUMERIC') return javaBigDecimalToString(unscaled, scale);
        return `"${toBase64(bigintToTwosComplement(unscaled))}"`;
      }
      case DATE_NAME:
        if (!(value instanceof Date)) throw new DataError(`Invalid type for Date, expected Date but was ${describeType(value)}`);
        return String(DateType.fromLogical(value));
      case TIME_NAME:
        if (!(value instanceof Date)) throw new DataError(`Invalid type for Time, expected Date but was ${describeType(value)}`);
        return String(TimeType.fromLogical(value));
      case TIMESTAMP_NAME: {
        const ms = value instanceof Date ? value.getTime() : Number.NaN;
        if (Number.isNaN(ms)) throw new DataError(`Invalid type for Timestamp, expected a valid Date but was ${describeType(value)}`);
        return String(ms);
      }
      default:
        return undefined;
    }
  }

  private writeMap(schema: Schema, value: Map<unknown, unknown> | JsonObject): string {
    const ks = schema.keySchema ?? null;
    const vs = schema.valueSchema ?? null;
    let out = '';
    if (ks !== null && ks.type === STRING) {
      // string keys: a JSON object
      if (value instanceof Map) {
        for (const [k, v] of value) {
          if (typeof k !== 'string') throw new DataError(`Invalid type for STRING: ${describeType(k)}`);
          out += `${out ? ',' : ''}${quote(k)}:${this.write(vs, v)}`;
        }
      } else {
        for (const k of Object.keys(value)) out += `${out ? ',' : ''}${quote(k)}:${this.write(vs, value[k])}`;
      }
      return `{${out}}`;
    }
    // other keys: an array of [key, value] pairs
    if (value instanceof Map) {
      for (const [k, v] of value) out += `${out ? ',' : ''}[${this.write(ks, k)},${this.write(vs, v)}]`;
    } else {
      for (const k of Object.keys(value)) out += `${out ? ',' : ''}[${this.write(ks, k)},${this.write(vs, value[k])}]`;
    }
    return `[${out}]`;
  }

  private writeStruct(schema: Schema, struct: Struct): string {
    if (struct.schema !== schema && !schemaEquals(struct.schema, schema)) throw new DataError('Mismatching schema.');
    let prefixes = this.fieldPrefixes.get(schema);
    if (prefixes === undefined) {
      prefixes = schema.fields.map((f, i) => `${i ? ',' : ''}${quote(f.name)}:`);
      this.fieldPrefixes.set(schema, prefixes);
    }
    const fields = schema.fields;
    let out = '{';
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      out += prefixes[i]! + this.write(f.schema, struct.getWithoutDefault(f.name));
    }
    return out + '}';
  }

  /** A value without schema, typed by what it is (Java's `ConnectSchema.schemaType(value.getClass())`). */
  private writeSchemaless(value: unknown): string {
    switch (typeof value) {
      case 'string':
        return quote(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'number':
        if (Number.isSafeInteger(value)) return String(value);
        return writeDouble(value);
      case 'bigint': {
        const s = int64Text(value);
        if (s !== undefined) return s;
        throw new DataError(`Invalid type for INT64: bigint ${value} is out of range`);
      }
      default:
        break;
    }
    if (value instanceof Uint8Array) return `"${toBase64(value)}"`;
    if (Array.isArray(value)) {
      const doubles = doubleKeys(value);
      let out = '[';
      for (let i = 0; i < value.length; i++) {
        const v = value[i];
        out += (i ? ',' : '') + (doubles !== undefined && typeof v === 'number' && doubles.has(i) ? writeDouble(v) : this.write(null, v));
      }
      return out + ']';
    }
    if (value instanceof Map) {
      let objectMode = true;
      for (const k of value.keys()) {
        if (typeof k !== 'string') {
          objectMode = false;
          break;
        }
      }
      let out = objectMode ? '{' : '[';
      let first = true;
      for (const [k, v] of value) {
        out += (first ? '' : ',') + (objectMode ? `${quote(k as string)}:${this.write(null, v)}` : `[${this.write(null, k)},${this.write(null, v)}]`);
        first = false;
      }
      return out + (objectMode ? '}' : ']');
    }
    if (value instanceof StructClass) throw new DataError('Mismatching schema.');
    if (isPlainObject(value)) {
      const doubles = doubleKeys(value);
      let out = '{';
      let first = true;
      for (const k of Object.keys(value)) {
        const v = value[k];
        out += `${first ? '' : ','}${quote(k)}:${doubles !== undefined && typeof v === 'number' && doubles.has(k) ? writeDouble(v) : this.write(null, v)}`;
        first = false;
      }
      return out + '}';
    }
    throw new DataError(`Class ${describeType(value)} does not have corresponding schema type.`);
  }

  // ------------------------------------------------------------------------------------------------ reading

  /**
   * Fastest path: records of a topic mostly share a schema, so the bytes are first compared with the envelope heads
   * (`{"schema":S,"payload":`) of the last schemas read; on a match only the payload is decoded and parsed. (A JSON
   * value is never a prefix of another, so a known head followed by the payload means exactly that schema.)
   */
  private readRecentEnvelope(bytes: Uint8Array): SchemaAndValue | undefined {
    const n = bytes.byteLength;
    if (n === 0 || bytes[0] !== 123 || bytes[n - 1] !== 125) return undefined;
    const buf = bytes instanceof Buffer ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, n);
    const recent = this.recentSchemas;
    for (let i = 0; i < recent.length; i++) {
      const r = recent[i]!;
      const h = r.head.length;
      if (n > h && buf.compare(r.head, 0, h, 0, h) === 0) {
        if (i > 0) {
          recent.splice(i, 1);
          recent.unshift(r);
        }
        let payloadText: string;
        try {
          payloadText = UTF8.decode(buf.subarray(h, n - 1));
        } catch {
          return undefined;
        }
        return this.readPayload(r.schema, payloadText);
      }
    }
    return undefined;
  }

  /**
   * Fast path for envelopes as Java writes them, `{"schema":S,"payload":P}` with no whitespace: the schema comes
   * from the cache by its text and only the payload is parsed. Undefined when the text needs the general path.
   */
  private readJavaEnvelope(text: string): SchemaAndValue | undefined {
    const end = skipCompositeValue(text, SCHEMA_PREFIX.length);
    if (end < 0 || !text.startsWith(PAYLOAD_SEPARATOR, end) || text.charCodeAt(text.length - 1) !== 125) return undefined;
    const schemaText = text.slice(SCHEMA_PREFIX.length, end);
    let schema = this.schemasByJson.get(schemaText);
    if (schema === undefined) {
      let node: unknown;
      try {
        node = parseJson(schemaText, true, true);
      } catch {
        return undefined;
      }
      schema = this.asConnectSchema(node);
      this.schemasByJson.set(schemaText, schema);
    }
    const read = this.readPayload(schema, text.slice(end + PAYLOAD_SEPARATOR.length, text.length - 1));
    if (read !== undefined) {
      this.recentSchemas.unshift({ head: Buffer.from(`${SCHEMA_PREFIX}${schemaText}${PAYLOAD_SEPARATOR}`, 'utf8'), schema });
      if (this.recentSchemas.length > RECENT_SCHEMAS) this.recentSchemas.pop();
    }
    return read;
  }

  /** The payload's value; undefined when it is not strict JSON (the general path then explains why). */
  private readPayload(schema: Schema | null, payloadText: string): SchemaAndValue | undefined {
    let payload: unknown;
    try {
      if (schema === null) {
        payload = hasLongDigits(payloadText, true) || mayHoldWholeDouble(payloadText) ? parseJson(payloadText, false, true) : JSON.parse(payloadText);
      } else {
        const numbers = this.numbersIn(schema);
        const exact = numbers === NUMBERS_DECIMAL || (numbers === NUMBERS_INT64 && hasLongDigits(payloadText, false));
        payload = exact ? parseJson(payloadText, true, true) : JSON.parse(payloadText);
      }
    } catch {
      return undefined;
    }
    return { schema, value: schema === null ? payload : this.toConnect(schema, payload) };
  }

  /** Any envelope: parsed exactly, checked as Java checks it. */
  private readEnvelope(text: string): SchemaAndValue {
    const root = readJson(text, true, true);
    if (!isJsonObject(root) || !Object.hasOwn(root, 'schema') || !Object.hasOwn(root, 'payload') || Object.keys(root).length !== 2) {
      throw new DataError(ENVELOPE_ERROR);
    }
    const schema = this.asConnectSchema(root.schema);
    return { schema, value: schema === null ? rawToValue(root.payload) : this.toConnect(schema, root.payload) };
  }

  /** Java's `asConnectSchema`: a Connect schema from its JSON form. */
  private asConnectSchema(node: unknown): Schema | null {
    if (node === null) return null;
    const json = isJsonObject(node) ? node : undefined;
    const type = json?.type;
    if (typeof type !== 'string') throw new DataError("Schema must contain 'type' field");
    let builder: SchemaBuilder;
    switch (type) {
      case 'boolean':
        builder = SchemaBuilder.bool();
        break;
      case 'int8':
        builder = SchemaBuilder.int8();
        break;
      case 'int16':
        builder = SchemaBuilder.int16();
        break;
      case 'int32':
        builder = SchemaBuilder.int32();
        break;
      case 'int64':
        builder = SchemaBuilder.int64();
        break;
      case 'float':
        builder = SchemaBuilder.float32();
        break;
      case 'double':
        builder = SchemaBuilder.float64();
        break;
      case 'bytes':
        builder = SchemaBuilder.bytes();
        break;
      case 'string':
        builder = SchemaBuilder.string();
        break;
      case 'array': {
        const items = json!.items;
        if (items == null) throw new DataError('Array schema did not specify the element type');
        builder = SchemaBuilder.array(this.asConnectSchema(items)!);
        break;
      }
      case 'map': {
        const keys = json!.keys;
        if (keys === undefined) throw new DataError('Map schema did not specify the key type');
        const values = json!.values;
        if (values === undefined) throw new DataError('Map schema did not specify the value type');
        const ks = this.asConnectSchema(keys);
        const vs = this.asConnectSchema(values);
        if (!ks || !vs) throw new DataError('Map schema must specify non-null key and value types');
        builder = SchemaBuilder.map(ks, vs);
        break;
      }
      case 'struct': {
        builder = SchemaBuilder.struct();
        const fields = json!.fields;
        if (!Array.isArray(fields)) throw new DataError('Struct schema\'s "fields" argument is not an array.');
        for (const field of fields) {
          const name = isJsonObject(field) ? field.field : undefined;
          if (typeof name !== 'string') throw new DataError("Struct schema's field name not specified properly");
          builder.field(name, this.asConnectSchema(field)!);
        }
        break;
      }
      default:
        throw new DataError(`Unknown schema type: ${type}`);
    }
    const j = json!;
    if (j.optional === true) builder.optional();
    if (typeof j.name === 'string') builder.name(j.name);
    const version = j.version;
    if (typeof version === 'number' && Number.isInteger(version)) builder.version(version | 0);
    else if (version instanceof LosslessNumber && version.integral) builder.version(Number(BigInt.asIntN(32, BigInt(version.text))));
    if (typeof j.doc === 'string') builder.doc(j.doc);
    if (isJsonObject(j.parameters)) {
      const params: Record<string, string> = {};
      let any = false;
      for (const k of Object.keys(j.parameters)) {
        const v = j.parameters[k];
        if (typeof v !== 'string') throw new DataError('Schema parameters must have string values.');
        params[k] = v;
        any = true;
      }
      if (any) builder.parameters(params);
    }
    if (Object.hasOwn(j, 'default')) {
      const dflt = this.toConnect(builder.build(), j.default);
      if (dflt != null) builder.defaultValue(dflt);
    }
    return builder.build();
  }

  /** Java's `convertToConnect` with a schema; the node comes from `JSON.parse` or the exact reader. */
  private toConnect(schema: Schema, node: unknown): unknown {
    if (node === null || node === undefined) {
      if (schema.defaultValue != null && this.replaceNullWithDefault) return schema.defaultValue;
      if (schema.optional) return null;
      throw new DataError(`Invalid null value for required ${schema.type} field`);
    }
    if (schema.name != null) {
      switch (schema.name) {
        case DECIMAL_NAME:
          return toDecimal(schema, node);
        case DATE_NAME:
          return DateType.toLogical(toDays(node));
        case TIME_NAME:
          return TimeType.toLogical(toTimeMillis(node));
        case TIMESTAMP_NAME:
          return toTimestamp(node);
        default:
          break;
      }
    }
    switch (schema.type) {
      case BOOLEAN:
        if (typeof node === 'boolean') return node;
        break;
      case INT8: {
        const n = toInt32(node);
        if (n !== undefined) return (n << 24) >> 24;
        break;
      }
      case INT16: {
        const n = toInt32(node);
        if (n !== undefined) return (n << 16) >> 16;
        break;
      }
      case INT32: {
        const n = toInt32(node);
        if (n !== undefined) return n;
        break;
      }
      case INT64: {
        const n = toInt64(node);
        if (n !== undefined) return n;
        break;
      }
      case FLOAT32: {
        const d = toDouble(node);
        if (d !== undefined) return Math.fround(d);
        break;
      }
      case FLOAT64: {
        const d = toDouble(node);
        if (d !== undefined) return d;
        break;
      }
      case STRING:
        if (typeof node === 'string') return node;
        break;
      case BYTES:
        if (typeof node === 'string') {
          const bytes = fromBase64(node);
          if (bytes === undefined) throw new DataError('Invalid bytes field');
          return bytes;
        }
        break;
      case ARRAY:
        if (Array.isArray(node)) {
          const vs = schema.valueSchema!;
          for (let i = 0; i < node.length; i++) node[i] = this.toConnect(vs, node[i]);
          return node;
        }
        break;
      case MAP:
        return this.toConnectMap(schema, node);
      case STRUCT: {
        if (!isJsonObject(node)) throw new DataError(`Structs should be encoded as JSON objects, but found ${nodeType(node)}`);
        const struct = new StructClass(schema);
        for (const f of schema.fields) {
          struct.put(f.name, this.toConnect(f.schema, Object.hasOwn(node, f.name) ? node[f.name] : undefined));
        }
        return struct;
      }
    }
    throw new DataError(`Invalid value for ${schema.type} schema: expected ${EXPECTED[schema.type]} but found ${nodeType(node)}`);
  }

  private toConnectMap(schema: Schema, node: unknown): unknown {
    const vs = schema.valueSchema!;
    const ks = schema.keySchema!;
    if (ks.type === STRING) {
      if (!isJsonObject(node)) throw new DataError(`Maps with string fields should be encoded as JSON objects, but found ${nodeType(node)}`);
      for (const k of Object.keys(node)) node[k] = this.toConnect(vs, node[k]);
      return node;
    }
    if (!Array.isArray(node)) throw new DataError(`Maps with non-string fields should be encoded as JSON array of tuples, but found ${nodeType(node)}`);
    const map = new Map<unknown, unknown>();
    for (const entry of node) {
      if (!Array.isArray(entry)) throw new DataError(`Found invalid map entry instead of array tuple: ${nodeType(entry)}`);
      if (entry.length !== 2) throw new DataError(`Found invalid map entry, expected length 2 but found :${entry.length}`);
      map.set(this.toConnect(ks, entry[0]), this.toConnect(vs, entry[1]));
    }
    return map;
  }

  /**
   * Which numbers the schema's payloads may hold that `JSON.parse` cannot read exactly: decimals (always read
   * exactly), INT64 (read exactly when the text has 16+ digit runs), or neither.
   */
  private numbersIn(schema: Schema): number {
    let kind = this.numberKinds.get(schema);
    if (kind === undefined) {
      if (schema.name === DECIMAL_NAME) kind = NUMBERS_DECIMAL;
      else {
        kind = schema.type === INT64 ? NUMBERS_INT64 : NUMBERS_SAFE;
        const parts = [schema.keySchema, schema.valueSchema, ...schema.fields.map((f) => f.schema)];
        for (const part of parts) if (part) kind = Math.max(kind, this.numbersIn(part));
      }
      this.numberKinds.set(schema, kind);
    }
    return kind;
  }
}

// ------------------------------------------------------------------------------------------------ helpers

/**
 * Parses JSON as Jackson reads it for JsonConverter. `raw` keeps inexact numbers as {@link LosslessNumber}s;
 * `exact` skips `JSON.parse` (which loses digits beyond double precision).
 */
function readJson(text: string, raw: boolean, exact: boolean): unknown {
  if (!exact && !(!raw && mayHoldWholeDouble(text))) {
    try {
      return JSON.parse(text);
    } catch {
      // not strict JSON: the reader below accepts what Jackson accepts, or says what is wrong
    }
  }
  try {
    return parseJson(text, raw, false);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new DataError(READ_ERROR + e.message, { cause: e });
    throw e;
  }
}

/** A double as Jackson writes it: Java's `Double.toString`, quoted when not finite. */
function writeDouble(value: number): string {
  return Number.isFinite(value) ? formatJavaDouble(value) : `"${formatJavaDouble(value)}"`;
}

/**
 * Converts the {@link LosslessNumber}s of a raw tree to schemaless values, in place; whole-valued doubles inside
 * objects and arrays are marked as such (`markDouble`, `-0.0` read as `0`, as Java reads it through BigDecimal).
 */
function rawToValue(node: unknown): unknown {
  if (node instanceof LosslessNumber) return node.integral ? int64(BigInt(node.text)) : Number(node.text);
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = rawMember(node, i, node[i]);
  } else if (isJsonObject(node)) {
    for (const k of Object.keys(node)) node[k] = rawMember(node, k, node[k]);
  }
  return node === MISSING ? null : node;
}

function rawMember(container: object, key: string | number, node: unknown): unknown {
  if (node instanceof LosslessNumber && !node.integral) {
    const n = Number(node.text);
    if (!Number.isInteger(n)) return n;
    markDouble(container, key);
    return n === 0 ? 0 : n;
  }
  return rawToValue(node);
}

/**
 * Whether the JSON text has a number token (outside strings) that may have a whole value although written as a
 * double: a zero fraction (`1.0`), an exponent (`1e3`, `1.5E3`), or 17+ digits and a dot that may round to a whole
 * double (`0.99999999999999999`). Such texts go to the exact reader, which keeps Java's double/integer distinction.
 * One pass over the characters, skipping strings (ISO timestamps' `:00.000Z`, ids like `4e7b` are not numbers).
 */
/** The index of the quote that ends the string starting at `open` (the text's length when it does not end). */
function stringEnd(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  while (end > 0) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return text.length;
}

function mayHoldWholeDouble(text: string): boolean {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      continue;
    }
    if (c !== MINUS && (c < ZERO || c > NINE)) continue;
    const digitsStart = c === MINUS ? i + 1 : i;
    let dot = -1;
    let zeroFraction = true;
    for (i = digitsStart; i < n; i++) {
      const d = text.charCodeAt(i);
      if (d >= ZERO && d <= NINE) {
        if (dot >= 0 && d !== ZERO) zeroFraction = false;
      } else if (d === DOT && dot < 0) dot = i;
      else if (d === LOWER_E || d === UPPER_E) return true;
      else break;
    }
    if (dot >= 0 && i > dot + 1 && (zeroFraction || i - digitsStart >= 17)) return true;
    i--; // the delimiter is looked at again by the outer loop (a quote starts a string)
  }
  return false;
}

/** Java's JsonNodeType name of a node, for messages. */
function nodeType(node: unknown): string {
  if (node === null || node === undefined) return 'NULL';
  if (typeof node === 'number' || node instanceof LosslessNumber) return 'NUMBER';
  if (typeof node === 'string') return 'STRING';
  if (typeof node === 'boolean') return 'BOOLEAN';
  if (Array.isArray(node)) return 'ARRAY';
  return 'OBJECT';
}

/** `JsonNode.intValue()` of a number node (truncated, low 32 bits), or undefined when not a number. */
function toInt32(node: unknown): number | undefined {
  if (typeof node === 'number') return node | 0;
  if (node instanceof LosslessNumber) {
    return node.integral ? Number(BigInt.asIntN(32, BigInt(node.text))) : Number(BigInt.asIntN(32, integerPart(node.text)));
  }
  return undefined;
}

/** `JsonNode.longValue()` of a number node (truncated, low 64 bits), or undefined when not a number. */
function toInt64(node: unknown): number | bigint | undefined {
  if (typeof node === 'number') {
    if (Number.isSafeInteger(node)) return node === 0 ? 0 : node;
    return Number.isFinite(node) ? int64(BigInt(Math.trunc(node))) : 0;
  }
  if (node instanceof LosslessNumber) return int64(node.integral ? BigInt(node.text) : integerPart(node.text));
  return undefined;
}

/** The integer part of a decimal token (toward zero). */
function integerPart(text: string): bigint {
  const d = parseJavaBigDecimal(text);
  if (!d) return 0n;
  if (d.scale <= 0) return -d.scale >= 64 ? 0n : d.unscaled * 10n ** BigInt(-d.scale);
  return d.unscaled / 10n ** BigInt(d.scale);
}

/** A double from a number node; Java's own `"NaN"`/`"Infinity"` strings read as those values. */
function toDouble(node: unknown): number | undefined {
  // `-0.0` reads as 0: Jackson (USE_BIG_DECIMAL_FOR_FLOATS) reads it as a BigDecimal, which has no negative zero
  if (typeof node === 'number') return node === 0 ? 0 : node;
  if (node instanceof LosslessNumber) {
    const n = Number(node.text);
    return n === 0 ? 0 : n;
  }
  if (node === 'NaN') return Number.NaN;
  if (node === 'Infinity') return Number.POSITIVE_INFINITY;
  if (node === '-Infinity') return Number.NEGATIVE_INFINITY;
  return undefined;
}

function toDecimal(schema: Schema, node: unknown): string {
  if (typeof node === 'number') return plainDecimal(String(node)) ?? String(node);
  if (node instanceof LosslessNumber) return plainDecimal(node.text)!;
  if (typeof node === 'string') {
    const bytes = fromBase64(node);
    if (bytes === undefined) throw new DataError('Invalid bytes for Decimal field');
    return Decimal.toLogical(schema, bytes);
  }
  throw new DataError(`Invalid type for Decimal, underlying representation should be numeric or bytes but was ${nodeType(node)}`);
}

function isInt32(node: unknown): node is number {
  return typeof node === 'number' && (node | 0) === node;
}

function toDays(node: unknown): number {
  if (!isInt32(node)) throw new DataError(`Invalid type for Date, underlying representation should be integer but was ${nodeType(node)}`);
  return node;
}

function toTimeMillis(node: unknown): number {
  if (!isInt32(node)) throw new DataError(`Invalid type for Time, underlying representation should be integer but was ${nodeType(node)}`);
  if (node < 0 || node > MS_PER_DAY) throw new DataError('Time values must use number of milliseconds greater than 0 and less than 86400000');
  return node;
}

function toTimestamp(node: unknown): Date {
  if (typeof node === 'number' && Number.isInteger(node)) return new Date(node);
  if (node instanceof LosslessNumber && node.integral) return new Date(Number(node.text));
  throw new DataError(`Invalid type for Timestamp, underlying representation should be integral but was ${nodeType(node)}`);
}

/** The JSON text of an INT64 value, or undefined when the value is not a 64-bit integer. */
function int64Text(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return String(value);
    if (!Number.isInteger(value)) return undefined;
    value = BigInt(value);
  }
  if (typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX) return value.toString();
  return undefined;
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const JACKSON_ESCAPES = /[\u0000-\u0007\u000b\u000e-\u001f\ud800-\udfff]/;
const STRINGIFY_FIXUPS = /\\\\|\\u([0-9a-f]{4})|[\ud800-\udfff]/g;

/**
 * A JSON string literal exactly as Jackson writes it: like `JSON.stringify`, except that control characters without
 * a short escape are `\u00XX` in uppercase hex and every UTF-16 surrogate (so any character outside the BMP) is
 * written as its own `\uXXXX` escape.
 */
export function quote(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  const json = JSON.stringify(s);
  if (!JACKSON_ESCAPES.test(s)) return json;
  return json.replace(STRINGIFY_FIXUPS, (m: string, hex: string | undefined) => {
    if (hex !== undefined) return `\\u${hex.toUpperCase()}`;
    if (m.length === 1) return `\\u${m.charCodeAt(0).toString(16).toUpperCase()}`;
    return m;
  });
}

function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof LosslessNumber);
}

function isPlainObject(v: unknown): v is JsonObject {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A small LRU map (Java's `LRUCache` behind `schemas.cache.size`). */
class LruCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined && this.map.size > 1) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    if (this.max <= 0) return;
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
}
