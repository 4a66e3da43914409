/**
 * Cast: fields of a struct or map, or the whole key or value, to another primitive type (Java's `Cast$Key` /
 * `Cast$Value`). Integers narrow as Java's casts do (low bits kept), floating-point values truncate toward zero,
 * strings parse as `Integer.parseInt` / `Double.parseDouble` do, bytes become base64 strings and logical types
 * cast from their underlying representation (or to their ISO-8601 text).
 */
import {
  ConfigDef,
  ConfigError,
  type ConnectRecord,
  ConfigType,
  DataError,
  DateType,
  Decimal,
  Importance,
  type Schema,
  SchemaBuilder,
  SchemaType,
  Struct,
  TimestampType,
  TimeType,
  type Transformation,
  formatJavaDouble,
  formatJavaFloat,
  javaBigDecimalToString,
  decimalToUnscaled,
  markDouble,
  toBase64,
} from '@kconnect/api';
import { SimpleDateFormat } from './date-format';
import {
  copySchemaBasics,
  fieldValue,
  isMarkedDouble,
  javaClass,
  lambdaValidator,
  mapEntries,
  mapGet,
  mapSet,
  operatingSchema,
  operatingValue,
  requireMap,
  requireStruct,
  SchemaCache,
  type Side,
  withOperating,
} from './util';

const SPEC_CONFIG = 'spec';
const PURPOSE = 'cast types';
const INPUT_TYPES = ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64', 'BOOLEAN', 'STRING', 'BYTES'];
const OUTPUT_TYPES = ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64', 'BOOLEAN', 'STRING'];
const ALL_TYPES = Object.values(SchemaType) as string[];
/** The whole value's entry in the parsed spec. */
const WHOLE = '';

export const CAST_CONFIG = new ConfigDef()
  .define({
    name: SPEC_CONFIG,
    type: ConfigType.LIST,
    validator: lambdaValidator((_name, value) => {
      const list = value as string[] | null;
      if (!list || list.length === 0) throw new ConfigError('Must specify at least one field to cast.');
      parseFieldTypes(list);
    }, 'list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>'),
    importance: Importance.HIGH,
    documentation:
      'List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of ' +
      'Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, ' +
      'int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string.',
  })
  .define({
    name: 'replace.null.with.default',
    type: ConfigType.BOOLEAN,
    default: true,
    importance: Importance.MEDIUM,
    documentation:
      'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
  });

function javaSet(types: string[]): string {
  return `[${types.join(', ')}]`;
}

function outputType(type: string): SchemaType {
  if (!OUTPUT_TYPES.includes(type))
    throw new ConfigError(`Cast transformation does not support casting to ${type}; supported types are ${javaSet(OUTPUT_TYPES)}`);
  return type as SchemaType;
}

function schemaType(text: string): string {
  const t = text.trim().toUpperCase();
  if (!ALL_TYPES.includes(t)) throw new ConfigError(`Invalid type found in casting spec: ${text.trim()}`);
  return t;
}

/** The spec as field → type, the whole value under ''. */
export function parseFieldTypes(mappings: string[]): Map<string, SchemaType> {
  const m = new Map<string, SchemaType>();
  let whole = false;
  for (const mapping of mappings) {
    const parts = javaSplit(mapping, ':');
    if (parts.length > 2) throw new ConfigError(`Invalid value [${mappings.join(', ')}] for configuration renames: Invalid rename mapping: ${mapping}`);
    if (parts.length === 1) {
      m.set(WHOLE, outputType(schemaType(parts[0]!)));
      whole = true;
    } else {
      m.set(parts[0]!.trim(), outputType(schemaType(parts[1]!)));
    }
  }
  if (whole && mappings.length > 1)
    throw new ConfigError('Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec');
  return m;
}

/** Java's `String.split(sep)`: trailing empty strings removed. */
export function javaSplit(s: string, sep: string): string[] {
  const parts = s.split(sep);
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function builderFor(type: SchemaType): SchemaBuilder {
  return SchemaBuilder.type(type);
}

// ------------------------------------------------------------------------------------------------ value casts

/** The Connect type Java infers from a schemaless value's class (`ConnectSchema.schemaType`). */
function inferType(value: unknown, markedDouble: boolean): SchemaType | undefined {
  switch (typeof value) {
    case 'string':
      return SchemaType.STRING;
    case 'boolean':
      return SchemaType.BOOLEAN;
    case 'bigint':
      return SchemaType.INT64;
    case 'number':
      return Number.isInteger(value) && !markedDouble ? SchemaType.INT64 : SchemaType.FLOAT64;
  }
  if (value instanceof Uint8Array) return SchemaType.BYTES;
  if (value instanceof Struct) return SchemaType.STRUCT;
  if (Array.isArray(value)) return SchemaType.ARRAY;
  if (value instanceof Map || (typeof value === 'object' && value !== null && !(value instanceof Date))) return SchemaType.MAP;
  return undefined;
}

const outOfRange = (value: unknown): DataError => new DataError(`Value (${String(value)}) was out of range for requested data type`);

/** A Java number's `longValue()` as a bigint: doubles truncate toward zero and saturate, NaN is 0. */
function toLong(n: number | bigint): bigint {
  if (typeof n === 'bigint') return BigInt.asIntN(64, n);
  if (Number.isNaN(n)) return 0n;
  if (n >= 2 ** 63) return 9223372036854775807n;
  if (n <= -(2 ** 63)) return -9223372036854775808n;
  return BigInt(Math.trunc(n));
}

/** A Java number's `intValue()` (doubles saturate at the int range, longs keep their low 32 bits). */
function toInt(n: number | bigint, isDouble: boolean): number {
  if (typeof n === 'number' && isDouble) {
    if (Number.isNaN(n)) return 0;
    if (n >= 2147483647) return 2147483647;
    if (n <= -2147483648) return -2147483648;
    return Math.trunc(n);
  }
  return Number(BigInt.asIntN(32, toLong(n)));
}

const JAVA_INT_RE = /^[-+]?\d+$/;
const JAVA_FLOAT_RE = /^[-+]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)[fFdD]?)$/;

function parseJavaInteger(s: string, bits: number): bigint {
  if (!JAVA_INT_RE.test(s)) throw outOfRange(s);
  const v = BigInt(s);
  const max = (1n << BigInt(bits - 1)) - 1n;
  if (v > max || v < -max - 1n) throw outOfRange(s);
  return v;
}

function parseJavaDouble(s: string): number {
  const t = s.trim();
  if (!JAVA_FLOAT_RE.test(t)) throw outOfRange(s);
  return Number(t.replace(/[fFdD]$/, ''));
}

/** A numeric input as a JS number or bigint, with whether Java would hold it as a floating-point value. */
function numeric(value: unknown, schema: Schema | null, marked: boolean): { n: number | bigint; isDouble: boolean } | undefined {
  if (typeof value === 'bigint') return { n: value, isDouble: false };
  if (typeof value === 'number') {
    const floaty = schema ? schema.type === SchemaType.FLOAT32 || schema.type === SchemaType.FLOAT64 : !Number.isInteger(value) || marked;
    return { n: value, isDouble: floaty };
  }
  if (typeof value === 'string' && schema?.name === Decimal.LOGICAL_NAME) {
    // a BigDecimal: its integer part (low bits kept by the integer casts); the float casts read the text itself
    const int = value.trim().split('.')[0]!;
    return { n: BigInt(int === '' || int === '-' || int === '+' ? '0' : int), isDouble: false };
  }
  return undefined;
}

function unexpected(value: unknown): DataError {
  return new DataError(`Unexpected type in Cast transformation: ${javaClass(value)}`);
}

function castTo(value: unknown, schema: Schema | null, target: SchemaType, marked: boolean): unknown {
  const num = numeric(value, schema, marked);
  switch (target) {
    case SchemaType.INT8:
    case SchemaType.INT16:
    case SchemaType.INT32: {
      const bits = target === SchemaType.INT8 ? 8 : target === SchemaType.INT16 ? 16 : 32;
      if (num) {
        const i = toInt(num.n, num.isDouble);
        return bits === 32 ? i : Number(BigInt.asIntN(bits, BigInt(i)));
      }
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value === 'string') return Number(parseJavaInteger(value, bits));
      throw unexpected(value);
    }
    case SchemaType.INT64: {
      let l: bigint;
      if (num) l = toLong(num.n);
      else if (typeof value === 'boolean') l = value ? 1n : 0n;
      else if (typeof value === 'string') l = parseJavaInteger(value, 64);
      else throw unexpected(value);
      return l >= BigInt(Number.MIN_SAFE_INTEGER) && l <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(l) : l;
    }
    case SchemaType.FLOAT32:
    case SchemaType.FLOAT64: {
      let d: number;
      if (num) d = typeof value === 'string' ? Number(value) : Number(num.n);
      else if (typeof value === 'boolean') d = value ? 1 : 0;
      else if (typeof value === 'string') d = parseJavaDouble(value);
      else throw unexpected(value);
      return target === SchemaType.FLOAT32 ? Math.fround(d) : d;
    }
    case SchemaType.BOOLEAN:
      if (num) return toLong(num.n) !== 0n;
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') return value.toLowerCase() === 'true';
      throw unexpected(value);
    case SchemaType.STRING:
      return castToString(value, schema, marked);
    default:
      throw new DataError(`${target} is not supported in the Cast transformation.`);
  }
}

const TIME_FORMAT = new SimpleDateFormat("HH:mm:ss.SSS'Z'");
const DATE_FORMAT = new SimpleDateFormat('yyyy-MM-dd');
const TIMESTAMP_FORMAT = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

/** Java's `Values.dateFormatFor(date).format(date)`. */
export function isoDateString(date: Date): string {
  const ms = date.getTime();
  if (ms < 86_400_000) return TIME_FORMAT.format(date);
  if (ms % 86_400_000 === 0) return DATE_FORMAT.format(date);
  return TIMESTAMP_FORMAT.format(date);
}

function castToString(value: unknown, schema: Schema | null, marked: boolean): string {
  if (value instanceof Date) return isoDateString(value);
  if (value instanceof Uint8Array) return toBase64(value);
  if (typeof value === 'number') {
    if (schema?.type === SchemaType.FLOAT32) return formatJavaFloat(value);
    if (schema?.type === SchemaType.FLOAT64 || (!schema && (marked || !Number.isInteger(value)))) return formatJavaDouble(value);
    return String(value);
  }
  if (typeof value === 'string' && schema?.name === Decimal.LOGICAL_NAME) {
    const scale = Decimal.scale(schema);
    return javaBigDecimalToString(decimalToUnscaled(value, scale), scale);
  }
  return String(value);
}

/** Java's `Cast.castValueToType`. */
export function castValueToType(schema: Schema | null, value: unknown, target: SchemaType, marked = false): unknown {
  if (value === null || value === undefined) return null;
  const inferred = schema ? schema.type : inferType(value, marked);
  if (inferred === undefined)
    throw new DataError(`Cast transformation was passed a value of type ${javaClass(value)} which is not supported by Connect's data API`);
  if (!INPUT_TYPES.includes(inferred))
    throw new DataError(`Cast transformation does not support casting from ${inferred}; supported types are ${javaSet(INPUT_TYPES)}`);
  let v = value;
  let s = schema;
  if (schema?.name !== undefined && target !== SchemaType.STRING && value instanceof Date) {
    switch (schema.name) {
      case DateType.LOGICAL_NAME:
        v = DateType.fromLogical(value);
        s = null;
        break;
      case TimeType.LOGICAL_NAME:
        v = TimeType.fromLogical(value);
        s = null;
        break;
      case TimestampType.LOGICAL_NAME:
        v = TimestampType.fromLogical(value);
        s = null;
        break;
    }
  }
  return castTo(v, s, target, marked);
}

// ------------------------------------------------------------------------------------------------ the transform

export class Cast<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private casts = new Map<string, SchemaType>();
  private whole: SchemaType | undefined;
  private replaceNullWithDefault = true;
  private cache = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CAST_CONFIG;
  }

  configure(configs: Record<string, string>): void {
    const c = CAST_CONFIG.parse(configs);
    this.casts = parseFieldTypes(c[SPEC_CONFIG]);
    this.whole = this.casts.get(WHOLE);
    this.replaceNullWithDefault = c['replace.null.with.default'];
    this.cache = new SchemaCache();
  }

  apply(record: R): R {
    const value = operatingValue(record, this.side);
    if (value === null) return record;
    const schema = operatingSchema(record, this.side);
    return schema ? this.applyWithSchema(record, schema, value) : this.applySchemaless(record, value);
  }

  private applySchemaless(record: R, value: unknown): R {
    if (this.whole !== undefined) return withOperating(record, this.side, null, castValueToType(null, value, this.whole));
    const map = requireMap(value, PURPOSE);
    let out: typeof map;
    if (map instanceof Map) out = new Map(map);
    else {
      // a plain copy: the Double marks of the cast fields follow their new type
      const o: Record<string, unknown> = {};
      for (const [k, v] of mapEntries(map)) {
        o[k] = v;
        if (!this.casts.has(k) && isMarkedDouble(map, k)) markDouble(o, k);
      }
      out = o;
    }
    for (const [field, type] of this.casts) {
      mapSet(out, field, castValueToType(null, mapGet(map, field), type, isMarkedDouble(map, field)));
      if (!(out instanceof Map) && (type === SchemaType.FLOAT32 || type === SchemaType.FLOAT64)) markDouble(out, field);
    }
    return withOperating(record, this.side, null, out);
  }

  private applyWithSchema(record: R, schema: Schema, value: unknown): R {
    const updated = this.cache.getOrBuild(schema, (s) => this.buildSchema(s));
    if (this.whole !== undefined) return withOperating(record, this.side, updated, castValueToType(schema, value, this.whole));
    const struct = requireStruct(value, PURPOSE);
    const out = new Struct(updated);
    for (const f of struct.schema.fields) {
      const orig = fieldValue(struct, f.name, this.replaceNullWithDefault);
      const target = this.casts.get(f.name);
      out.put(f.name, target !== undefined ? castValueToType(f.schema, orig, target) : orig);
    }
    return withOperating(record, this.side, updated, out);
  }

  private buildSchema(schema: Schema): Schema {
    let builder: SchemaBuilder;
    if (this.whole !== undefined) builder = copySchemaBasics(schema, builderFor(this.whole));
    else {
      builder = copySchemaBasics(schema, SchemaBuilder.struct());
      for (const f of schema.fields) {
        const target = this.casts.get(f.name);
        if (target === undefined) {
          builder.field(f.name, f.schema);
          continue;
        }
        const fb = builderFor(target);
        if (f.schema.optional) fb.optional();
        if (f.schema.defaultValue !== null && f.schema.defaultValue !== undefined) fb.defaultValue(castValueToType(f.schema, f.schema.defaultValue, target));
        builder.field(f.name, fb.build());
      }
    }
    if (schema.optional) builder.optional();
    if (schema.defaultValue !== null && schema.defaultValue !== undefined) builder.defaultValue(castValueToType(schema, schema.defaultValue, builder.type));
    return builder.build();
  }
}
