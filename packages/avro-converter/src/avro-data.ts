/**
 * Connect schemas and values ↔ Avro, with the rules of Confluent's `io.confluent.connect.avro.AvroData`
 * (schema-registry 8.x): optional types as unions with null (null first, or last when the schema has a default),
 * field defaults, INT8/INT16 as `int` with `connect.type`, the logical types Decimal (`bytes` + `decimal`,
 * precision `connect.decimal.precision` or 64), Date (`date`), Time (`time-millis`) and Timestamp
 * (`timestamp-millis`), the `connect.*` metadata properties (`connect.meta.data`), enums as strings with
 * `io.confluent.connect.avro.Enum` parameters (written as Avro enums with `enhanced.avro.schema.support`), maps with
 * other keys than required strings as arrays of `io.confluent.connect.avro.MapEntry` records, unnamed structs as
 * `io.confluent.connect.avro.ConnectDefault`, `ConnectDefault2`…, Avro unions other than `[null, T]` as
 * `io.confluent.connect.avro.Union` structs, and schemaless values through `io.confluent.connect.avro.Anything`.
 *
 * Avro schemas are handled as JSON (what the registry stores); their text follows Avro Java's `Schema.toString()`
 * (key order, namespaces omitted where inherited) so the registry sees the same schema as from Java. Values are
 * encoded and decoded by avsc types built from that JSON; the conversion between Connect values and avsc values is
 * compiled once per schema into a tree of closures.
 */
import * as avro from 'avsc';
import {
  DataError,
  DateType,
  Decimal,
  type Schema,
  SchemaBuilder,
  Schemas,
  SchemaType,
  Struct,
  TimeType,
  TimestampType,
  bigintToTwosComplement,
  decimalToUnscaled,
  describeType,
  schemaEquals,
  twosComplementToBigint,
  unscaledToDecimal,
} from '@kconnect/api';

export const NAMESPACE = 'io.confluent.connect.avro';
export const DEFAULT_SCHEMA_NAME = 'ConnectDefault';
export const DEFAULT_SCHEMA_FULL_NAME = `${NAMESPACE}.${DEFAULT_SCHEMA_NAME}`;
export const MAP_ENTRY_TYPE_NAME = 'MapEntry';
export const CONNECT_NAME_PROP = 'connect.name';
export const CONNECT_DOC_PROP = 'connect.doc';
export const CONNECT_VERSION_PROP = 'connect.version';
export const CONNECT_DEFAULT_VALUE_PROP = 'connect.default';
export const CONNECT_PARAMETERS_PROP = 'connect.parameters';
export const CONNECT_INTERNAL_TYPE_NAME = 'connect.internal.type';
export const CONNECT_TYPE_PROP = 'connect.type';
export const AVRO_RECORD_DOC_PROP = `${NAMESPACE}.record.doc`;
export const AVRO_ENUM_DOC_PREFIX_PROP = `${NAMESPACE}.enum.doc.`;
export const AVRO_FIELD_DOC_PREFIX_PROP = `${NAMESPACE}.field.doc.`;
export const AVRO_FIELD_DEFAULT_FLAG_PROP = `${NAMESPACE}.field.default`;
export const AVRO_ENUM_DEFAULT_PREFIX_PROP = `${NAMESPACE}.enum.default.`;
export const AVRO_TYPE_UNION = `${NAMESPACE}.Union`;
export const AVRO_TYPE_ENUM = `${NAMESPACE}.Enum`;
export const AVRO_TYPE_ANYTHING = `${NAMESPACE}.Anything`;
export const CONNECT_AVRO_FIXED_SIZE_PROP = 'connect.fixed.size';
export const CONNECT_AVRO_DECIMAL_PRECISION_PROP = 'connect.decimal.precision';
export const CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT = 64;

/** An Avro schema as JSON: a type name, a union (array) or a complex type (object). */
export type AvroJson = string | AvroJson[] | AvroObject;
export interface AvroObject {
  type: AvroJson;
  [key: string]: unknown;
}

/** The schema for schemaless values (Java's `AvroData.ANYTHING_SCHEMA`). */
export const ANYTHING_SCHEMA: AvroObject = {
  type: 'record',
  name: 'Anything',
  namespace: NAMESPACE,
  fields: [
    { name: 'boolean', type: ['null', 'boolean'], default: null },
    { name: 'bytes', type: ['null', 'bytes'], default: null },
    { name: 'double', type: ['null', 'double'], default: null },
    { name: 'float', type: ['null', 'float'], default: null },
    { name: 'int', type: ['null', 'int'], default: null },
    { name: 'long', type: ['null', 'long'], default: null },
    { name: 'string', type: ['null', 'string'], default: null },
    { name: 'array', type: ['null', { type: 'array', items: 'Anything' }], default: null },
    {
      name: 'map',
      type: [
        'null',
        {
          type: 'array',
          items: {
            type: 'record',
            name: 'MapEntry',
            fields: [
              { name: 'key', type: 'Anything' },
              { name: 'value', type: 'Anything' },
            ],
          },
        },
      ],
      default: null,
    },
  ],
};
export const ANYTHING_SCHEMA_TEXT = JSON.stringify(ANYTHING_SCHEMA);

export interface AvroDataConfig {
  /** `connect.meta.data` (default true). */
  connectMetaData: boolean;
  /** `enhanced.avro.schema.support` (default false). */
  enhancedSchemaSupport: boolean;
  /** `schemas.cache.config` (default 1000). */
  cacheSize: number;
}

export const DEFAULT_AVRO_DATA_CONFIG: AvroDataConfig = { connectMetaData: true, enhancedSchemaSupport: false, cacheSize: 1000 };

const { INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES, ARRAY, MAP, STRUCT } = SchemaType;
const AVRO_TYPE_OF: Partial<Record<SchemaType, string>> = {
  [INT32]: 'int',
  [INT64]: 'long',
  [FLOAT32]: 'float',
  [FLOAT64]: 'double',
  [BOOLEAN]: 'boolean',
  [STRING]: 'string',
  [BYTES]: 'bytes',
  [ARRAY]: 'array',
  [MAP]: 'map',
};
const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const RESERVED: Record<string, ReadonlySet<string>> = {
  record: new Set(['type', 'name', 'namespace', 'doc', 'fields', 'aliases']),
  error: new Set(['type', 'name', 'namespace', 'doc', 'fields', 'aliases']),
  enum: new Set(['type', 'name', 'namespace', 'doc', 'symbols', 'aliases', 'default']),
  fixed: new Set(['type', 'name', 'namespace', 'doc', 'size', 'aliases']),
  array: new Set(['type', 'items']),
  map: new Set(['type', 'values']),
};
const PRIMITIVE_RESERVED = new Set(['type']);

// ------------------------------------------------------------------------------------------------ avsc types

const TWO_32 = 4294967296;
const LONG_BUF = Buffer.alloc(8);
/**
 * avsc's `long`, reading values beyond ±2^53 as bigint (Connect's INT64 representation) instead of failing, and
 * writing numbers and bigints.
 */
export const LONG_TYPE = avro.types.LongType.__with({
  fromBuffer(buf: Buffer): number | bigint {
    const hi = buf.readInt32LE(4);
    if (hi >= -2097152 && hi < 2097152) return hi * TWO_32 + buf.readUInt32LE(0);
    return buf.readBigInt64LE(0);
  },
  toBuffer(n: number | bigint): Buffer {
    if (typeof n === 'bigint') LONG_BUF.writeBigInt64LE(n, 0);
    else {
      const hi = Math.floor(n / TWO_32);
      LONG_BUF.writeInt32LE(hi, 4);
      LONG_BUF.writeUInt32LE(n - hi * TWO_32, 0);
    }
    return LONG_BUF;
  },
  fromJSON: (v: number | string) => (typeof v === 'string' ? BigInt(v) : v),
  toJSON: (n: number | bigint) => (typeof n === 'bigint' ? Number(n) : n),
  isValid: (n: unknown) => (typeof n === 'number' && Number.isSafeInteger(n)) || (typeof n === 'bigint' && n >= -(2n ** 63n) && n < 2n ** 63n),
  compare: (a: number | bigint, b: number | bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/** An avsc type for an Avro schema JSON (unions unwrapped when unambiguous; longs as number or bigint). */
export function avscType(json: AvroJson): avro.Type {
  return avro.Type.forSchema(json as avro.Schema, { registry: { long: LONG_TYPE }, wrapUnions: 'auto' } as unknown as Partial<avro.ForSchemaOptions>);
}

// ------------------------------------------------------------------------------------------------ names

function splitName(name: string): [string | undefined, string] {
  const i = name.lastIndexOf('.');
  return i < 0 ? [undefined, name] : [name.slice(0, i), name.slice(i + 1)];
}

function fullNameOf(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

/** Small LRU map. */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
}

// ------------------------------------------------------------------------------------------------ Connect → Avro

interface FromContext {
  nameIndex: number;
  /** Named Avro types defined so far (full name), so later uses are written as references. */
  defined: Set<string>;
}

/** A compiled Connect → Avro schema: its JSON, text, avsc type and the value converter. */
export interface WritePlan {
  readonly avro: AvroJson;
  readonly text: string;
  readonly type: avro.Type;
  readonly toAvro: (value: unknown) => unknown;
}

/** A compiled Avro → Connect schema: the Connect schema and the value converter for avsc values. */
export interface ReadPlan {
  readonly schema: Schema | null;
  readonly type: avro.Type;
  readonly toConnect: (value: unknown) => unknown;
}

type Convert = (value: unknown) => unknown;

/** Connect ↔ Avro schemas and values, configured as Confluent's `AvroDataConfig`. */
export class AvroData {
  readonly config: AvroDataConfig;
  private readonly writePlans = new WeakMap<Schema, WritePlan>();
  private readonly writePlansByText: LruCache<string, WritePlan & { schemaRef: Schema }>;
  private readonly readPlans: LruCache<string, ReadPlan>;
  private anythingPlan: WritePlan | undefined;

  constructor(config: Partial<AvroDataConfig> = {}) {
    this.config = { ...DEFAULT_AVRO_DATA_CONFIG, ...config };
    this.writePlansByText = new LruCache(Math.max(1, this.config.cacheSize));
    this.readPlans = new LruCache(Math.max(1, this.config.cacheSize));
  }

  // ---------------------------------------------------------------------------------------------- schemas

  /** The Avro schema (JSON) of a Connect schema; null (schemaless) gives `io.confluent.connect.avro.Anything`. */
  fromConnectSchema(schema: Schema | null): AvroJson {
    if (schema == null) return ANYTHING_SCHEMA;
    return this.schemaFromConnect(schema, { nameIndex: 0, defined: new Set() }, false, undefined);
  }

  /** The Avro schema text, as Java's `Schema.toString()` prints it. */
  fromConnectSchemaText(schema: Schema | null): string {
    return this.writePlan(schema).text;
  }

  /** The compiled plan for writing values of a Connect schema (cached per schema object). */
  writePlan(schema: Schema | null): WritePlan {
    if (schema == null) {
      this.anythingPlan ??= { avro: ANYTHING_SCHEMA, text: ANYTHING_SCHEMA_TEXT, type: avscType(ANYTHING_SCHEMA), toAvro: (v) => anythingFromConnect(v) };
      return this.anythingPlan;
    }
    let plan = this.writePlans.get(schema);
    if (plan === undefined) {
      const json = this.fromConnectSchema(schema);
      const text = JSON.stringify(json);
      const byText = this.writePlansByText.get(text);
      if (byText !== undefined && schemaEquals(byText.schemaRef, schema)) plan = byText;
      else {
        const type = avscType(json);
        const created = { avro: json, text, type, toAvro: this.compileFromConnect(schema, type), schemaRef: schema };
        this.writePlansByText.set(text, created);
        plan = created;
      }
      this.writePlans.set(schema, plan);
    }
    return plan;
  }

  private schemaFromConnect(schema: Schema, ctx: FromContext, ignoreOptional: boolean, space: string | undefined): AvroJson {
    const meta = this.config.connectMetaData;
    const params = schema.parameters;
    let connectType: string | undefined;
    let base: AvroObject | AvroJson[];
    switch (schema.type) {
      case INT8:
      case INT16:
        connectType = schema.type === INT8 ? 'int8' : 'int16';
        base = { type: 'int' };
        break;
      case INT32:
      case INT64:
      case FLOAT32:
      case FLOAT64:
      case BOOLEAN:
        base = { type: AVRO_TYPE_OF[schema.type]! };
        break;
      case STRING:
        if (this.config.enhancedSchemaSupport && params?.[AVRO_TYPE_ENUM] !== undefined) {
          const prefix = `${AVRO_TYPE_ENUM}.`;
          const symbols = Object.keys(params)
            .filter((k) => k.startsWith(prefix))
            .map((k) => k.slice(prefix.length));
          const name = this.nameOrDefault(ctx, schema.name)[1];
          const enumFull = params[AVRO_TYPE_ENUM]!;
          const doc = params[AVRO_ENUM_DOC_PREFIX_PROP + name];
          const dflt = params[AVRO_ENUM_DEFAULT_PREFIX_PROP + name];
          if (ctx.defined.has(enumFull)) return this.ref(enumFull, space, schema, ignoreOptional);
          ctx.defined.add(enumFull);
          const [ns, simple] = splitName(enumFull);
          base = { type: 'enum', name: simple };
          if (ns !== undefined && ns !== space) base.namespace = ns;
          if (doc !== undefined) base.doc = doc;
          base.symbols = symbols;
          if (dflt !== undefined) base.default = dflt;
        } else base = { type: 'string' };
        break;
      case BYTES:
        if (isFixedSchema(schema)) {
          const [ns, name] = this.nameOrDefault(ctx, schema.name);
          const full = `${ns}.${name}`;
          if (ctx.defined.has(full)) return this.ref(full, space, schema, ignoreOptional);
          ctx.defined.add(full);
          base = { type: 'fixed', name };
          if (ns !== space) base.namespace = ns;
          base.size = Number.parseInt(params![CONNECT_AVRO_FIXED_SIZE_PROP]!, 10);
        } else base = { type: 'bytes' };
        if (schema.name === Decimal.LOGICAL_NAME) {
          base.scale = Number.parseInt(params?.scale ?? '0', 10);
          const p = params?.[CONNECT_AVRO_DECIMAL_PRECISION_PROP];
          base.precision = p === undefined ? CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT : Number.parseInt(p, 10);
        }
        break;
      case ARRAY:
        base = { type: 'array', items: this.schemaFromConnect(schema.valueSchema!, ctx, false, space) };
        break;
      case MAP:
        if (isStringKeyed(schema)) {
          base = { type: 'map', values: this.schemaFromConnect(schema.valueSchema!, ctx, false, space) };
        } else {
          let entryFull: string;
          const entry: AvroObject = { type: 'record', name: MAP_ENTRY_TYPE_NAME };
          if (schema.name == null) {
            entryFull = `${NAMESPACE}.${MAP_ENTRY_TYPE_NAME}`;
            if (space !== NAMESPACE) entry.namespace = NAMESPACE;
          } else {
            const [ns, name] = this.nameOrDefault(ctx, schema.name);
            entryFull = fullNameOf(name, ns);
            entry.name = name;
            if (ns !== undefined && ns !== space) entry.namespace = ns;
          }
          if (ctx.defined.has(entryFull)) {
            base = { type: 'array', items: relativeName(entryFull, space) };
          } else {
            ctx.defined.add(entryFull);
            const inner = splitName(entryFull)[0];
            entry.fields = [
              this.fieldFromConnect('key', schema.keySchema!, undefined, ctx, inner),
              this.fieldFromConnect('value', schema.valueSchema!, undefined, ctx, inner),
            ];
            if (schema.name != null) entry[CONNECT_INTERNAL_TYPE_NAME] = MAP_ENTRY_TYPE_NAME;
            base = { type: 'array', items: entry };
          }
        }
        break;
      case STRUCT:
        if (schema.name === AVRO_TYPE_UNION) {
          base = schema.optional ? ['null'] : [];
          for (const f of schema.fields) base.push(this.schemaFromConnect(nonOptional(f.schema), ctx, true, space));
        } else if (schema.optional) {
          base = ['null', this.schemaFromConnect(nonOptional(schema), ctx, false, space)];
        } else {
          const [ns, name] = this.nameOrDefault(ctx, schema.name);
          const full = fullNameOf(name, ns);
          if (ctx.defined.has(full)) return relativeName(full, space);
          ctx.defined.add(full);
          const rec: AvroObject = { type: 'record', name };
          if (ns !== undefined && ns !== space) rec.namespace = ns;
          const doc = params?.[AVRO_RECORD_DOC_PROP];
          if (doc !== undefined) rec.doc = doc;
          rec.fields = schema.fields.map((f) => this.fieldFromConnect(f.name, f.schema, params?.[AVRO_FIELD_DOC_PREFIX_PROP + f.name], ctx, ns));
          base = rec;
        }
        break;
      default:
        throw new DataError(`Unknown schema type: ${schema.type}`);
    }

    if (Array.isArray(base)) return base; // unions carry no metadata (it is on their members)
    if (meta) {
      if (schema.doc != null) base[CONNECT_DOC_PROP] = schema.doc;
      if (schema.version != null) base[CONNECT_VERSION_PROP] = schema.version;
      if (params != null) {
        const p: Record<string, string> = {};
        for (const [k, v] of Object.entries(params)) if (k !== AVRO_FIELD_DEFAULT_FLAG_PROP) p[k] = v;
        if (Object.keys(p).length > 0) base[CONNECT_PARAMETERS_PROP] = p;
      }
      if (schema.defaultValue != null && params?.[AVRO_FIELD_DEFAULT_FLAG_PROP] === undefined) {
        base[CONNECT_DEFAULT_VALUE_PROP] = this.defaultFromConnect(schema, schema.defaultValue);
      }
      if (schema.name != null) base[CONNECT_NAME_PROP] = schema.name;
      if (connectType !== undefined) base[CONNECT_TYPE_PROP] = connectType;
    }
    switch (schema.name) {
      case Decimal.LOGICAL_NAME:
        base.logicalType = 'decimal';
        break;
      case TimeType.LOGICAL_NAME:
        base.logicalType = 'time-millis';
        break;
      case TimestampType.LOGICAL_NAME:
        base.logicalType = 'timestamp-millis';
        break;
      case DateType.LOGICAL_NAME:
        base.logicalType = 'date';
        break;
    }
    if (params != null) for (const [k, v] of Object.entries(params)) if (k.startsWith('avro')) base[k] = v;
    const out: AvroJson = Object.keys(base).length === 1 && PRIMITIVES.has(base.type as string) ? (base.type as string) : base;
    return ignoreOptional ? out : maybeOptional(schema, out);
  }

  private ref(full: string, space: string | undefined, schema: Schema, ignoreOptional: boolean): AvroJson {
    const r = relativeName(full, space);
    return ignoreOptional ? r : maybeOptional(schema, r);
  }

  private fieldFromConnect(name: string, schema: Schema, doc: string | undefined, ctx: FromContext, space: string | undefined): Record<string, unknown> {
    const field: Record<string, unknown> = { name, type: this.schemaFromConnect(schema, ctx, false, space) };
    if (doc !== undefined) field.doc = doc;
    if (schema.defaultValue != null) {
      const dflt = this.defaultFromConnect(schema, schema.defaultValue);
      // Avro checks a field default against the field's type (a union's first branch); Java drops invalid ones
      if (defaultFits(field.type as AvroJson, dflt)) field.default = dflt;
    } else if (schema.optional) field.default = null;
    return field;
  }

  private nameOrDefault(ctx: FromContext, name: string | undefined): [string | undefined, string] {
    if (name != null) return splitName(name);
    ctx.nameIndex++;
    return [NAMESPACE, DEFAULT_SCHEMA_NAME + (ctx.nameIndex > 1 ? ctx.nameIndex : '')];
  }

  /** A default value as Avro JSON (Java's `defaultValueFromConnect`). */
  defaultFromConnect(schema: Schema, value: unknown): unknown {
    if (value == null) return null;
    const v = logicalToAvro(schema, value);
    switch (schema.type) {
      case INT8:
      case INT16:
      case INT32:
      case FLOAT32:
      case FLOAT64:
      case BOOLEAN:
      case STRING:
        return v;
      case INT64:
        return typeof v === 'bigint' ? Number(v) : v;
      case BYTES:
        return Buffer.from(v as Uint8Array).toString('latin1');
      case ARRAY:
        return (v as unknown[]).map((e) => this.defaultFromConnect(schema.valueSchema!, e));
      case MAP: {
        const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
        if (isStringKeyed(schema)) return Object.fromEntries(entries.map(([k, e]) => [k, this.defaultFromConnect(schema.valueSchema!, e)]));
        return entries.map(([k, e]) => [this.defaultFromConnect(schema.keySchema!, k), this.defaultFromConnect(schema.valueSchema!, e)]);
      }
      case STRUCT: {
        const s = v as Struct;
        const out: Record<string, unknown> = {};
        for (const f of schema.fields) {
          const d = this.defaultFromConnect(f.schema, s.get(f.name));
          if (schema.name === AVRO_TYPE_UNION) return d;
          out[f.name] = d;
        }
        return out;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------- values to Avro

  /** The avsc value of a Connect value (for tests; the converter uses {@link writePlan}). */
  fromConnectData(schema: Schema | null, value: unknown): unknown {
    return this.writePlan(schema).toAvro(value);
  }

  private compileFromConnect(schema: Schema, type: avro.Type): Convert {
    const inner = unwrapOptional(type);
    const required = !schema.optional;
    const convert = this.compileInner(schema, inner);
    return (value) => {
      if (value == null) {
        if (required) throw new DataError('Found null value for non-optional schema');
        return null;
      }
      return convert(value);
    };
  }

  private compileInner(schema: Schema, type: avro.Type): Convert {
    const t = schema.type;
    switch (schema.name) {
      case Decimal.LOGICAL_NAME: {
        const fixedSize = isFixedSchema(schema) ? (type as unknown as { size: number }).size : 0;
        return (v) => {
          if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'bigint') {
            throw new DataError(`Invalid type for Decimal, expected BigDecimal but was ${describeType(v)}`);
          }
          const bytes = Buffer.from(Decimal.fromLogical(schema, String(v)));
          return fixedSize ? padToFixed(bytes, fixedSize) : bytes;
        };
      }
      case DateType.LOGICAL_NAME:
        return (v) => {
          if (!(v instanceof Date)) throw new DataError(`Invalid type for Date, expected Date but was ${describeType(v)}`);
          return DateType.fromLogical(v);
        };
      case TimeType.LOGICAL_NAME:
        return (v) => {
          if (!(v instanceof Date)) throw new DataError(`Invalid type for Time, expected Date but was ${describeType(v)}`);
          return TimeType.fromLogical(v);
        };
      case TimestampType.LOGICAL_NAME:
        return (v) => {
          if (!(v instanceof Date)) throw new DataError(`Invalid type for Timestamp, expected Date but was ${describeType(v)}`);
          return v.getTime();
        };
    }
    const bad = (v: unknown): never => {
      throw new DataError(`Invalid type for ${t}: ${describeType(v)}`);
    };
    switch (t) {
      case INT8:
        return (v) => (typeof v === 'number' && (v << 24) >> 24 === v ? v : bad(v));
      case INT16:
        return (v) => (typeof v === 'number' && (v << 16) >> 16 === v ? v : bad(v));
      case INT32:
        return (v) => (typeof v === 'number' && (v | 0) === v ? v : bad(v));
      case INT64:
        return (v) => ((typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'bigint' && BigInt.asIntN(64, v) === v) ? v : bad(v));
      case FLOAT32:
      case FLOAT64:
        return (v) => (typeof v === 'number' ? v : bad(v));
      case BOOLEAN:
        return (v) => (typeof v === 'boolean' ? v : bad(v));
      case STRING:
        if (type.typeName === 'enum') {
          const symbols = new Set((type as unknown as { symbols: string[] }).symbols);
          return (v) => {
            if (typeof v !== 'string') return bad(v);
            if (!symbols.has(v)) throw new DataError(`Invalid enum symbol ${JSON.stringify(v)} for ${schema.parameters?.[AVRO_TYPE_ENUM]}`);
            return v;
          };
        }
        return (v) => (typeof v === 'string' ? v : bad(v));
      case BYTES:
        return (v) => (v instanceof Uint8Array ? toBuffer(v) : bad(v));
      case ARRAY: {
        const item = this.compileFromConnect(schema.valueSchema!, (type as unknown as { itemsType: avro.Type }).itemsType);
        return (v) => {
          if (!Array.isArray(v)) return bad(v);
          const out = new Array(v.length);
          for (let i = 0; i < v.length; i++) out[i] = item(v[i]);
          return out;
        };
      }
      case MAP: {
        if (type.typeName === 'map') {
          const val = this.compileFromConnect(schema.valueSchema!, (type as unknown as { valuesType: avro.Type }).valuesType);
          return (v) => {
            const out: Record<string, unknown> = {};
            if (v instanceof Map) {
              for (const [k, e] of v) {
                if (typeof k !== 'string') bad(k);
                out[k as string] = val(e);
              }
            } else if (isPlainObject(v)) for (const k of Object.keys(v)) out[k] = val(v[k]);
            else bad(v);
            return out;
          };
        }
        const entryType = (type as unknown as { itemsType: avro.Type }).itemsType as unknown as { fields: { type: avro.Type }[] };
        const key = this.compileFromConnect(schema.keySchema!, entryType.fields[0]!.type);
        const val = this.compileFromConnect(schema.valueSchema!, entryType.fields[1]!.type);
        return (v) => {
          const entries = v instanceof Map ? [...v.entries()] : isPlainObject(v) ? Object.entries(v) : bad(v);
          return entries.map(([k, e]) => ({ key: key(k), value: val(e) }));
        };
      }
      case STRUCT: {
        if (schema.name === AVRO_TYPE_UNION) return this.compileUnionFromConnect(schema, type);
        const recordType = type as unknown as { fields: { name: string; type: avro.Type }[] };
        const fields = schema.fields;
        const names = fields.map((f) => f.name);
        const convs = fields.map((f, i) => this.compileFromConnect(f.schema, recordType.fields[i]!.type));
        const defaults = fields.map((f) => f.schema.defaultValue ?? null);
        const n = fields.length;
        return (v) => {
          if (!(v instanceof Struct)) return bad(v);
          if (v.schema !== schema && !schemaEquals(v.schema, schema)) throw new DataError('Mismatching struct schema');
          const out: Record<string, unknown> = {};
          for (let i = 0; i < n; i++) {
            let fv = v.getWithoutDefault(names[i]!);
            if (fv == null) fv = defaults[i];
            out[names[i]!] = convs[i]!(fv);
          }
          return out;
        };
      }
    }
    throw new DataError(`Unknown schema type: ${t}`);
  }

  /** A Connect union struct (one field set) as the matching branch of the Avro union. */
  private compileUnionFromConnect(schema: Schema, type: avro.Type): Convert {
    const wrapped = type.typeName === 'union:wrapped';
    const branches = (type as unknown as { types: avro.Type[] }).types.filter((b) => b.typeName !== 'null');
    const convs = schema.fields.map((f, i) => this.compileInner(nonOptional(f.schema), branches[i]!));
    const branchNames = branches.map((b) => (b as unknown as { branchName: string }).branchName);
    return (v) => {
      if (!(v instanceof Struct)) throw new DataError(`Invalid type for STRUCT: ${describeType(v)}`);
      for (let i = 0; i < schema.fields.length; i++) {
        const fv = v.get(schema.fields[i]!.name);
        if (fv != null) {
          const out = convs[i]!(fv);
          return wrapped ? { [branchNames[i]!]: out } : out;
        }
      }
      if (!schema.optional) throw new DataError('Found null value for non-optional schema');
      return null;
    };
  }

  // ---------------------------------------------------------------------------------------------- Avro → Connect

  /**
   * The read plan of an Avro schema text (cached by text and version): its Connect schema (null for
   * `io.confluent.connect.avro.Anything`) and a converter of avsc values. `version` is the registry's version of
   * the schema, used as the Connect schema's version when the schema has no `connect.version`.
   */
  readPlan(text: string, version?: number): ReadPlan {
    const key = version === undefined ? text : `${version}|${text}`;
    let plan = this.readPlans.get(key);
    if (plan === undefined) {
      const json = JSON.parse(text) as AvroJson;
      const type = avscType(json);
      if (isAnything(json)) plan = { schema: null, type, toConnect: anythingToConnect };
      else {
        const schema = this.toConnectSchema(json, version);
        plan = { schema, type, toConnect: this.compileToConnect(schema, type) };
      }
      this.readPlans.set(key, plan);
    }
    return plan;
  }

  /** The Connect schema of an Avro schema (Java's `toConnectSchema`). */
  toConnectSchema(json: AvroJson, version?: number): Schema {
    const named = new Map<string, AvroObject>();
    const normalized = normalizeNames(json, undefined, named);
    return this.schemaToConnect(normalized, named, false, undefined, undefined, version, new Set());
  }

  private schemaToConnect(
    json: AvroJson,
    named: Map<string, AvroObject>,
    forceOptional: boolean,
    fieldDefault: unknown,
    docDefault: string | undefined,
    version: number | undefined,
    building: Set<string>,
  ): Schema {
    if (typeof json === 'string' && !PRIMITIVES.has(json)) {
      const def = named.get(json);
      if (!def) throw new DataError(`Undefined Avro name: ${json}`);
      if (building.has(json)) throw new DataError(`Recursive Avro schemas are not supported: ${json}`);
      json = def;
    }
    const obj: AvroObject = typeof json === 'string' ? { type: json } : Array.isArray(json) ? { type: json } : json;
    const avroType = Array.isArray(obj.type) ? 'union' : typeof obj.type === 'string' ? obj.type : undefined;
    if (avroType === undefined) return this.schemaToConnect(obj.type, named, forceOptional, fieldDefault, docDefault, version, building);
    const meta = this.config.connectMetaData;
    const connectTypeProp = obj[CONNECT_TYPE_PROP] as string | undefined;
    const logicalType = obj.logicalType as string | undefined;
    const fullName = obj.name as string | undefined; // normalized to the full name
    const d: Desc = { type: STRING, optional: false, params: {}, fields: [] };
    const param = (k: string, v: string) => {
      d.params[k] = v;
    };
    switch (avroType) {
      case 'boolean':
        d.type = BOOLEAN;
        break;
      case 'bytes':
      case 'fixed':
        d.type = BYTES;
        if (logicalType?.toLowerCase() === 'decimal') {
          const scale = typeof obj.scale === 'number' ? obj.scale : 0;
          d.name = Decimal.LOGICAL_NAME;
          d.version = 1;
          param('scale', String(scale));
          if (obj.precision != null) {
            if (typeof obj.precision !== 'number')
              throw new DataError('precision property must be a JSON Integer. https://avro.apache.org/docs/1.9.1/spec.html#Decimal');
            if (obj.precision !== CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT) param(CONNECT_AVRO_DECIMAL_PRECISION_PROP, String(obj.precision));
          }
        }
        if (avroType === 'fixed') param(CONNECT_AVRO_FIXED_SIZE_PROP, String(obj.size));
        break;
      case 'double':
        d.type = FLOAT64;
        break;
      case 'float':
        d.type = FLOAT32;
        break;
      case 'int':
        if (logicalType != null) {
          d.type = INT32;
          if (logicalType.toLowerCase() === 'date') Object.assign(d, { name: DateType.LOGICAL_NAME, version: 1 });
          else if (logicalType.toLowerCase() === 'time-millis') Object.assign(d, { name: TimeType.LOGICAL_NAME, version: 1 });
        } else if (connectTypeProp == null) d.type = INT32;
        else if (connectTypeProp === 'int8') d.type = INT8;
        else if (connectTypeProp === 'int16') d.type = INT16;
        else throw new DataError('Connect type annotation for Avro int field is null');
        break;
      case 'long':
        d.type = INT64;
        if (logicalType?.toLowerCase() === 'timestamp-millis') Object.assign(d, { name: TimestampType.LOGICAL_NAME, version: 1 });
        break;
      case 'string':
        d.type = STRING;
        break;
      case 'array': {
        const items = resolve(obj.items as AvroJson, named);
        if (isMapEntry(items)) {
          const fields = items.fields as { name: string; type: AvroJson }[];
          if (fields.length !== 2 || !fields.some((f) => f.name === 'key') || !fields.some((f) => f.name === 'value')) {
            throw new DataError('Found map encoded as array of key-value pairs, but array elements do not match the expected format.');
          }
          d.type = MAP;
          d.key = this.schemaToConnect(fields.find((f) => f.name === 'key')!.type, named, false, undefined, undefined, undefined, building);
          d.value = this.schemaToConnect(fields.find((f) => f.name === 'value')!.type, named, false, undefined, undefined, undefined, building);
        } else {
          d.type = ARRAY;
          d.value = this.schemaToConnect(obj.items as AvroJson, named, false, undefined, undefined, undefined, building);
        }
        break;
      }
      case 'map':
        d.type = MAP;
        d.key = Schemas.STRING_SCHEMA;
        d.value = this.schemaToConnect(obj.values as AvroJson, named, false, undefined, undefined, undefined, building);
        break;
      case 'record':
      case 'error': {
        d.type = STRUCT;
        building.add(fullName!);
        if (meta && typeof obj.doc === 'string') param(AVRO_RECORD_DOC_PROP, obj.doc);
        for (const f of obj.fields as { name: string; type: AvroJson; doc?: string; default?: unknown }[]) {
          if (meta && f.doc != null) param(AVRO_FIELD_DOC_PREFIX_PROP + f.name, f.doc);
          let fieldSchema = this.schemaToConnect(
            f.type,
            named,
            false,
            'default' in f ? (f.default === null ? NULL_DEFAULT : f.default) : undefined,
            f.doc,
            undefined,
            building,
          );
          const fieldParams = (f as Record<string, unknown>)[CONNECT_PARAMETERS_PROP];
          if (meta && isPlainObject(fieldParams)) fieldSchema = withParams(fieldSchema, fieldParams as Record<string, string>);
          d.fields.push({ name: f.name, schema: fieldSchema });
        }
        building.delete(fullName!);
        break;
      }
      case 'enum': {
        d.type = STRING;
        const simple = splitName(fullName!)[1];
        if (meta) {
          if (typeof obj.doc === 'string') param(AVRO_ENUM_DOC_PREFIX_PROP + simple, obj.doc);
          if (typeof obj.default === 'string') param(AVRO_ENUM_DEFAULT_PREFIX_PROP + simple, obj.default);
        }
        param(AVRO_TYPE_ENUM, fullName!);
        for (const s of obj.symbols as string[]) param(`${AVRO_TYPE_ENUM}.${s}`, s);
        break;
      }
      case 'union': {
        const types = obj.type as AvroJson[];
        if (types.length === 2 && types.includes('null')) {
          const member = types.find((m) => m !== 'null')!;
          return this.schemaToConnect(member, named, true, undefined, docDefault, undefined, building);
        }
        d.type = STRUCT;
        d.name = AVRO_TYPE_UNION;
        const seen = new Set<string>();
        types.forEach((m) => {
          if (m === 'null') {
            d.optional = true;
            return;
          }
          const name = this.unionMemberName(resolve(m, named));
          if (seen.has(name)) throw new DataError('Multiple union schemas map to the Connect union field name');
          seen.add(name);
          d.fields.push({ name, schema: this.schemaToConnect(m, named, true, undefined, undefined, undefined, building) });
        });
        break;
      }
      case 'null':
        throw new DataError('Standalone null schemas are not supported by this converter');
      default:
        throw new DataError(`Couldn't translate unsupported schema type ${avroType}.`);
    }

    const docProp = obj[CONNECT_DOC_PROP];
    if (meta && typeof docProp === 'string') d.doc = docProp;
    const versionProp = obj[CONNECT_VERSION_PROP];
    let v = -1;
    if (versionProp != null) {
      if (typeof versionProp !== 'number') throw new DataError(`Invalid Connect version found: ${JSON.stringify(versionProp)}`);
      v = Math.trunc(versionProp);
    } else if (version !== undefined) v = version;
    if (v >= 0) {
      if (d.version !== undefined && d.version !== v) {
        throw new DataError(`Mismatched versions: version already added to SchemaBuilder (${d.version}) differs from version in source schema (${v})`);
      }
      d.version = v;
    }
    const paramsProp = obj[CONNECT_PARAMETERS_PROP];
    if (meta && paramsProp != null) {
      if (!isPlainObject(paramsProp)) throw new DataError(`Expected JSON object for schema parameters but found: ${JSON.stringify(paramsProp)}`);
      for (const [k, pv] of Object.entries(paramsProp)) {
        if (typeof pv !== 'string') throw new DataError(`Expected schema parameter values to be strings but found: ${JSON.stringify(pv)}`);
        param(k, pv);
      }
    }
    for (const [k, pv] of Object.entries(obj))
      if (k.startsWith('avro') && !(RESERVED[avroType] ?? PRIMITIVE_RESERVED).has(k)) param(k, typeof pv === 'string' ? pv : JSON.stringify(pv));

    const connectDefault = obj[CONNECT_DEFAULT_VALUE_PROP];
    let dflt = fieldDefault;
    if (dflt === undefined) dflt = connectDefault;
    else if (meta && connectDefault === undefined) param(AVRO_FIELD_DEFAULT_FLAG_PROP, 'true');

    const nameProp = obj[CONNECT_NAME_PROP];
    let name: string | undefined;
    if (nameProp != null) {
      if (typeof nameProp !== 'string') throw new DataError(`Invalid schema name: ${JSON.stringify(nameProp)}`);
      name = nameProp;
    } else if (avroType === 'record' || avroType === 'error' || avroType === 'enum') name = fullName;
    else if (avroType === 'fixed' && d.name !== Decimal.LOGICAL_NAME) name = fullName;
    if (name != null && !name.startsWith(DEFAULT_SCHEMA_FULL_NAME)) {
      if (d.name !== undefined && d.name !== name) {
        throw new DataError(`Mismatched names: name already added to SchemaBuilder (${d.name}) differs from name in source schema (${name})`);
      }
      d.name = name;
    }
    if (forceOptional) d.optional = true;
    let schema = buildDesc(d, undefined);
    if (dflt !== undefined && dflt !== null && dflt !== NULL_DEFAULT) {
      try {
        schema = buildDesc(d, this.defaultToConnect(schema, resolve(json, named), dflt, named));
      } catch {
        // Java logs "Ignoring invalid default" and keeps the schema without it
      }
    }
    return schema;
  }

  private unionMemberName(m: AvroJson): string {
    const obj = typeof m === 'string' ? { type: m } : (m as AvroObject);
    const t = obj.type as string;
    if (t === 'record' || t === 'enum' || t === 'fixed') {
      const full = obj.name as string;
      return this.config.enhancedSchemaSupport ? full : splitName(full)[1];
    }
    return t;
  }

  /** A default value (Avro JSON) as a Connect value (Java's `defaultValueFromAvro`). */
  private defaultToConnect(schema: Schema, json: AvroJson, value: unknown, named: Map<string, AvroObject>): unknown {
    if (value == null || value === NULL_DEFAULT) return null;
    const obj = resolve(json, named);
    const t = Array.isArray(obj.type) ? 'union' : (obj.type as string);
    let out: unknown;
    switch (t) {
      case 'int':
        out = Number(value);
        break;
      case 'long':
        out = typeof value === 'number' ? value : BigInt(String(value));
        break;
      case 'float':
        out = Math.fround(Number(value));
        break;
      case 'double':
        out = Number(value);
        break;
      case 'boolean':
        out = Boolean(value);
        break;
      case 'string':
      case 'enum':
        out = String(value);
        break;
      case 'bytes':
      case 'fixed':
        out = Buffer.from(String(value), 'latin1');
        break;
      case 'array':
        if (!Array.isArray(value)) throw new DataError('Invalid JSON for array default value');
        out = value.map((e) => this.defaultToConnect(schema.valueSchema!, obj.items as AvroJson, e, named));
        break;
      case 'map':
        if (!isPlainObject(value)) throw new DataError('Invalid JSON for map default value');
        out = new Map(Object.entries(value).map(([k, e]) => [k, this.defaultToConnect(schema.valueSchema!, obj.values as AvroJson, e, named)]));
        break;
      case 'record': {
        if (!isPlainObject(value)) throw new DataError('Invalid JSON for record default value');
        const s = new Struct(schema);
        for (const f of obj.fields as { name: string; type: AvroJson }[]) {
          s.put(f.name, this.defaultToConnect(schema.field(f.name)!.schema, f.type, value[f.name], named));
        }
        out = s;
        break;
      }
      case 'union': {
        const first = (obj.type as AvroJson[])[0]!;
        if (first === 'null') return null;
        if (schema.name !== AVRO_TYPE_UNION) return this.defaultToConnect(schema, first, value, named);
        const fieldName = this.unionMemberName(resolve(first, named));
        return new Struct(schema).put(fieldName, this.defaultToConnect(schema.field(fieldName)!.schema, first, value, named));
      }
      default:
        return null;
    }
    return logicalToConnect(schema, out);
  }

  /** The Connect value of an avsc value (for tests; the converter uses {@link readPlan}). */
  toConnectData(schema: Schema, type: avro.Type, value: unknown): unknown {
    return this.compileToConnect(schema, type)(value);
  }

  private compileToConnect(schema: Schema, type: avro.Type): Convert {
    const inner = unwrapOptional(type);
    const convert = this.compileInnerToConnect(schema, inner);
    const required = !schema.optional;
    return (v) => {
      if (v == null) {
        if (required) throw new DataError('Found null value for non-optional schema');
        return null;
      }
      return convert(v);
    };
  }

  private compileInnerToConnect(schema: Schema, type: avro.Type): Convert {
    switch (schema.name) {
      case Decimal.LOGICAL_NAME: {
        const scale = Decimal.scale(schema);
        return (v) => unscaledToDecimal(twosComplementToBigint(v as Uint8Array), scale);
      }
      case DateType.LOGICAL_NAME:
        return (v) => DateType.toLogical(v as number);
      case TimeType.LOGICAL_NAME:
        return (v) => TimeType.toLogical(v as number);
      case TimestampType.LOGICAL_NAME:
        return (v) => TimestampType.toLogical(v as number);
    }
    switch (schema.type) {
      case INT8:
        return (v) => ((v as number) << 24) >> 24;
      case INT16:
        return (v) => ((v as number) << 16) >> 16;
      case INT32:
      case INT64:
      case FLOAT32:
      case FLOAT64:
      case BOOLEAN:
      case STRING:
        return (v) => v;
      case BYTES:
        return (v) => Buffer.from(v as Buffer); // a copy: avsc's bytes share the record's buffer
      case ARRAY: {
        const item = this.compileToConnect(schema.valueSchema!, (type as unknown as { itemsType: avro.Type }).itemsType);
        return (v) => (v as unknown[]).map(item);
      }
      case MAP: {
        if (type.typeName === 'map') {
          const val = this.compileToConnect(schema.valueSchema!, (type as unknown as { valuesType: avro.Type }).valuesType);
          return (v) => {
            const out = new Map<unknown, unknown>();
            for (const k of Object.keys(v as object)) out.set(k, val((v as Record<string, unknown>)[k]));
            return out;
          };
        }
        const entry = (type as unknown as { itemsType: { fields: { name: string; type: avro.Type }[] } }).itemsType;
        const keyType = entry.fields.find((f) => f.name === 'key')!.type;
        const valueType = entry.fields.find((f) => f.name === 'value')!.type;
        const key = this.compileToConnect(schema.keySchema!, keyType);
        const val = this.compileToConnect(schema.valueSchema!, valueType);
        return (v) => {
          const out = new Map<unknown, unknown>();
          for (const e of v as { key: unknown; value: unknown }[]) out.set(key(e.key), val(e.value));
          return out;
        };
      }
      case STRUCT: {
        if (schema.name === AVRO_TYPE_UNION) return this.compileUnionToConnect(schema, type);
        const recordType = type as unknown as { fields: { name: string; type: avro.Type }[] };
        const fields = schema.fields.map((f) => {
          const af = recordType.fields.find((x) => x.name === f.name);
          if (!af) throw new DataError(`Avro record has no field ${f.name}`);
          return { name: f.name, convert: this.compileToConnect(f.schema, af.type) };
        });
        return (v) => {
          const rec = v as Record<string, unknown>;
          const s = new Struct(schema);
          for (const f of fields) s.put(f.name, f.convert(rec[f.name]));
          return s;
        };
      }
    }
    throw new DataError(`Unknown Connect schema type: ${schema.type}`);
  }

  private compileUnionToConnect(schema: Schema, type: avro.Type): Convert {
    const branches = (type as unknown as { types: avro.Type[] }).types.filter((b) => b.typeName !== 'null');
    const convs = schema.fields.map((f, i) => this.compileInnerToConnect(nonOptional(f.schema), branches[i]!));
    if (type.typeName === 'union:wrapped') {
      const byBranch = new Map(branches.map((b, i) => [(b as unknown as { branchName: string }).branchName, i]));
      return (v) => {
        const [branch, inner] = Object.entries(v as object)[0]!;
        const i = byBranch.get(branch)!;
        return new Struct(schema).put(schema.fields[i]!.name, convs[i]!(inner));
      };
    }
    return (v) => {
      for (let i = 0; i < branches.length; i++) {
        if (branches[i]!.isValid(v)) return new Struct(schema).put(schema.fields[i]!.name, convs[i]!(v));
      }
      throw new DataError('Did not find matching union field for data');
    };
  }
}

// ------------------------------------------------------------------------------------------------ helpers

/** Marks an Avro field default of JSON null (as distinct from no default). */
const NULL_DEFAULT = Symbol('null default');

interface Desc {
  type: SchemaType;
  optional: boolean;
  name?: string;
  version?: number;
  doc?: string;
  params: Record<string, string>;
  fields: { name: string; schema: Schema }[];
  key?: Schema;
  value?: Schema;
}

function buildDesc(d: Desc, dflt: unknown): Schema {
  const b = d.type === ARRAY ? SchemaBuilder.array(d.value!) : d.type === MAP ? SchemaBuilder.map(d.key!, d.value!) : SchemaBuilder.type(d.type);
  if (d.optional) b.optional();
  if (d.name !== undefined) b.name(d.name);
  if (d.version !== undefined) b.version(d.version);
  if (d.doc !== undefined) b.doc(d.doc);
  if (Object.keys(d.params).length > 0) b.parameters(d.params);
  for (const f of d.fields) b.field(f.name, f.schema);
  if (dflt !== undefined) b.defaultValue(dflt);
  return b.build();
}

function withParams(schema: Schema, params: Record<string, string>): Schema {
  const orig = schema.parameters ?? {};
  if (Object.entries(params).every(([k, v]) => orig[k] === String(v))) return schema;
  const b =
    schema.type === ARRAY
      ? SchemaBuilder.array(schema.valueSchema!)
      : schema.type === MAP
        ? SchemaBuilder.map(schema.keySchema!, schema.valueSchema!)
        : SchemaBuilder.type(schema.type);
  if (schema.name != null) b.name(schema.name);
  if (schema.version != null) b.version(schema.version);
  if (schema.doc != null) b.doc(schema.doc);
  if (schema.optional) b.optional();
  if (schema.defaultValue != null) b.defaultValue(schema.defaultValue);
  b.parameters({ ...orig, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  for (const f of schema.fields) b.field(f.name, f.schema);
  return b.build();
}

/** A copy of a schema that is not optional (Java's `AvroData.nonOptional`). */
export function nonOptional(schema: Schema): Schema {
  if (!schema.optional) return schema;
  return { ...schemaProps(schema), optional: false };
}

function schemaProps(s: Schema): Schema {
  return {
    type: s.type,
    optional: s.optional,
    defaultValue: s.defaultValue,
    name: s.name,
    version: s.version,
    doc: s.doc,
    parameters: s.parameters,
    keySchema: s.keySchema,
    valueSchema: s.valueSchema,
    fields: s.fields,
    field: (n: string) => s.field(n),
  };
}

function maybeOptional(schema: Schema, base: AvroJson): AvroJson {
  if (!schema.optional) return base;
  return schema.defaultValue != null ? [base, 'null'] : ['null', base];
}

function relativeName(full: string, space: string | undefined): string {
  const [ns, name] = splitName(full);
  return ns !== undefined && ns === space ? name : full;
}

function isStringKeyed(schema: Schema): boolean {
  return schema.keySchema!.type === STRING && !schema.keySchema!.optional;
}

function isFixedSchema(schema: Schema): boolean {
  return schema.type === BYTES && schema.name != null && schema.parameters?.[CONNECT_AVRO_FIXED_SIZE_PROP] !== undefined;
}

function isMapEntry(o: AvroObject): boolean {
  if (o.type !== 'record') return false;
  return o.name === `${NAMESPACE}.${MAP_ENTRY_TYPE_NAME}` || o[CONNECT_INTERNAL_TYPE_NAME] === MAP_ENTRY_TYPE_NAME;
}

function isAnything(json: AvroJson): boolean {
  return (
    typeof json === 'object' &&
    !Array.isArray(json) &&
    json.type === 'record' &&
    fullNameOf(json.name as string, json.namespace as string | undefined) === AVRO_TYPE_ANYTHING
  );
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function padToFixed(bytes: Buffer, size: number): Buffer {
  if (bytes.length === size) return bytes;
  if (bytes.length > size) throw new DataError(`Decimal value does not fit a fixed of ${size} bytes`);
  const out = Buffer.alloc(size, bytes.length > 0 && bytes[0]! & 0x80 ? 0xff : 0);
  bytes.copy(out, size - bytes.length);
  return out;
}

/** The type inside a `[null, T]` / `[T, null]` union, or the type itself. */
function unwrapOptional(type: avro.Type): avro.Type {
  if (type.typeName === 'union:unwrapped' || type.typeName === 'union:wrapped') {
    const types = (type as unknown as { types: avro.Type[] }).types;
    if (types.length === 2 && types.some((t) => t.typeName === 'null')) return types.find((t) => t.typeName !== 'null')!;
  }
  return type;
}

function logicalToAvro(schema: Schema, value: unknown): unknown {
  switch (schema.name) {
    case Decimal.LOGICAL_NAME:
      return bigintToTwosComplement(decimalToUnscaled(String(value), Decimal.scale(schema)));
    case DateType.LOGICAL_NAME:
      return DateType.fromLogical(value as Date);
    case TimeType.LOGICAL_NAME:
      return TimeType.fromLogical(value as Date);
    case TimestampType.LOGICAL_NAME:
      return (value as Date).getTime();
  }
  return value;
}

function logicalToConnect(schema: Schema, value: unknown): unknown {
  switch (schema.name) {
    case Decimal.LOGICAL_NAME:
      return Decimal.toLogical(schema, value as Uint8Array);
    case DateType.LOGICAL_NAME:
      return DateType.toLogical(Number(value));
    case TimeType.LOGICAL_NAME:
      return TimeType.toLogical(Number(value));
    case TimestampType.LOGICAL_NAME:
      return TimestampType.toLogical(Number(value));
  }
  return value;
}

/** Whether a field default (JSON) fits the field's type, as Avro checks it (a union's first branch). */
function defaultFits(type: AvroJson, dflt: unknown): boolean {
  const first = Array.isArray(type) ? type[0] : type;
  if (first === undefined) return false;
  const t = typeof first === 'string' ? first : Array.isArray(first) ? 'union' : (first.type as string);
  switch (t) {
    case 'null':
      return dflt === null;
    case 'boolean':
      return typeof dflt === 'boolean';
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return typeof dflt === 'number';
    case 'string':
    case 'bytes':
    case 'enum':
    case 'fixed':
      return typeof dflt === 'string';
    case 'array':
      return Array.isArray(dflt);
    case 'map':
    case 'record':
      return isPlainObject(dflt);
    default:
      return true; // a named reference: Avro checks it too, but it was valid where defined
  }
}

/** Resolves a reference (by full name) to its definition; wraps primitives and unions as objects. */
function resolve(json: AvroJson, named: Map<string, AvroObject>): AvroObject {
  if (typeof json === 'string') return named.get(json) ?? { type: json };
  if (Array.isArray(json)) return { type: json };
  if (typeof json.type === 'string' && !PRIMITIVES.has(json.type) && !RESERVED[json.type]) return resolve(json.type, named);
  return json;
}

/** A copy of an Avro schema JSON with every name and reference made full, collecting the named types. */
function normalizeNames(json: AvroJson, space: string | undefined, named: Map<string, AvroObject>): AvroJson {
  if (typeof json === 'string') return PRIMITIVES.has(json) ? json : fullNameOf(json, space);
  if (Array.isArray(json)) return json.map((m) => normalizeNames(m, space, named));
  const t = json.type;
  if (typeof t !== 'string' || !RESERVED[t]) {
    if (typeof t === 'string' && PRIMITIVES.has(t)) return json;
    return { ...json, type: normalizeNames(t, space, named) };
  }
  const out: AvroObject = { ...json };
  if (t === 'record' || t === 'error' || t === 'enum' || t === 'fixed') {
    const ns = (json.namespace as string | undefined) ?? space;
    const full = fullNameOf(json.name as string, ns);
    out.name = full;
    delete out.namespace;
    named.set(full, out);
    const inner = splitName(full)[0];
    if (t === 'record' || t === 'error') {
      out.fields = (json.fields as Record<string, unknown>[]).map((f) => ({ ...f, type: normalizeNames(f.type as AvroJson, inner, named) }));
    }
  } else if (t === 'array') out.items = normalizeNames(json.items as AvroJson, space, named);
  else if (t === 'map') out.values = normalizeNames(json.values as AvroJson, space, named);
  return out;
}

// ------------------------------------------------------------------------------------------------ schemaless

/** A schemaless Connect value as an `Anything` record (Java's `maybeWrapSchemaless`). */
function anythingFromConnect(value: unknown): unknown {
  const rec: Record<string, unknown> = {
    boolean: null,
    bytes: null,
    double: null,
    float: null,
    int: null,
    long: null,
    string: null,
    array: null,
    map: null,
  };
  if (value == null) return rec;
  switch (typeof value) {
    case 'boolean':
      rec.boolean = value;
      return rec;
    case 'string':
      rec.string = value;
      return rec;
    case 'number':
      // JavaScript has one number type: safe integers are int64 (as JsonConverter reads them), others float64
      if (Number.isSafeInteger(value)) rec.long = value;
      else rec.double = value;
      return rec;
    case 'bigint':
      if (BigInt.asIntN(64, value) !== value) throw new DataError(`Unknown Java type for schemaless data: bigint ${value}`);
      rec.long = value;
      return rec;
  }
  if (value instanceof Uint8Array) {
    rec.bytes = toBuffer(value);
    return rec;
  }
  if (Array.isArray(value)) {
    rec.array = value.map(anythingFromConnect);
    return rec;
  }
  if (value instanceof Map || isPlainObject(value)) {
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    rec.map = entries.map(([k, v]) => ({ key: anythingFromConnect(k), value: anythingFromConnect(v) }));
    return rec;
  }
  throw new DataError(`Unknown Java type for schemaless data: ${describeType(value)}`);
}

/** An `Anything` record as a schemaless Connect value. */
function anythingToConnect(value: unknown): unknown {
  const r = value as Record<string, unknown>;
  if (r.boolean != null) return r.boolean;
  if (r.bytes != null) return Buffer.from(r.bytes as Buffer);
  if (r.double != null) return r.double;
  if (r.float != null) return r.float;
  if (r.int != null) return r.int;
  if (r.long != null) return r.long;
  if (r.string != null) return r.string;
  if (r.array != null) return (r.array as unknown[]).map(anythingToConnect);
  if (r.map != null) {
    const out = new Map<unknown, unknown>();
    for (const e of r.map as { key: unknown; value: unknown }[]) out.set(anythingToConnect(e.key), anythingToConnect(e.value));
    return out;
  }
  return null;
}
